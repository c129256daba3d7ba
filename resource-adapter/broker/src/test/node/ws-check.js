// Connects MQTT.js to ws://127.0.0.1:<port>/mqtt, subscribes, publishes and prints what came back.
// Usage: node ws-check.js <port> <protocolVersion 4|5>
'use strict';
const mqtt = require('mqtt');

const port = process.argv[2];
const protocolVersion = Number(process.argv[3] || 4);
const topic = 'mqttjs/ws/' + protocolVersion;
const payload = 'hello from MQTT.js v' + protocolVersion;

const client = mqtt.connect('ws://127.0.0.1:' + port + '/mqtt', {
  protocolVersion,
  clientId: 'mqttjs-' + protocolVersion + '-' + process.pid,
  reconnectPeriod: 0,
  connectTimeout: 10000,
});

const timer = setTimeout(() => {
  console.log('TIMEOUT');
  process.exit(2);
}, 20000);

let received = false;

client.on('error', (err) => {
  if (received) {
    // The exchange under test is complete; the broker closes the socket right after the client's DISCONNECT,
    // which MQTT.js may report while it tears its WebSocket down (EPIPE). Not a failure of connect/subscribe/publish.
    console.log('AFTER-RECEIVE ' + err.message);
    process.exit(0);
  }
  console.log('ERROR ' + err.message);
  process.exit(1);
});

client.on('connect', () => {
  client.subscribe(topic, { qos: 1 }, (err, granted) => {
    if (err) {
      console.log('SUBSCRIBE-ERROR ' + err.message);
      process.exit(1);
    }
    console.log('SUBACK ' + granted.map((g) => g.qos).join(','));
    client.publish(topic, payload, { qos: 1 });
  });
});

client.on('message', (t, message) => {
  console.log('RECEIVED ' + t + ' ' + message.toString());
  received = true;
  clearTimeout(timer);
  client.end(false, () => process.exit(0));
});
