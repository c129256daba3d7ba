// Connects MQTT.js to ws://127.0.0.1:<port>/mqtt, subscribes, publishes, prints what came back, then
// disconnects. Any error, also while the connection closes, fails the check: the broker's closing handshake
// (RFC 6455 section 5.5.1) must leave MQTT.js nothing to complain about.
// Usage: node ws-check.js <port> <protocolVersion 4|5> [rounds]
'use strict';
const mqtt = require('mqtt');

const port = process.argv[2];
const protocolVersion = Number(process.argv[3] || 4);
const rounds = Number(process.argv[4] || 1);
const topic = 'mqttjs/ws/' + protocolVersion;
const payload = 'hello from MQTT.js v' + protocolVersion;

const timer = setTimeout(() => {
  console.log('TIMEOUT');
  process.exit(2);
}, 20000 + rounds * 2000);

function fail(what) {
  console.log(what);
  process.exit(1);
}

function round(n) {
  if (n === rounds) {
    clearTimeout(timer);
    console.log('DONE ' + rounds);
    return;
  }
  const client = mqtt.connect('ws://127.0.0.1:' + port + '/mqtt', {
    protocolVersion,
    clientId: 'mqttjs-' + protocolVersion + '-' + process.pid + '-' + n,
    reconnectPeriod: 0,
    connectTimeout: 10000,
  });
  let received = false;
  client.on('error', (err) => fail('ERROR ' + (received ? 'after the exchange ' : '') + err.message));
  client.on('connect', () => {
    client.subscribe(topic, { qos: 1 }, (err, granted) => {
      if (err) {
        fail('SUBSCRIBE-ERROR ' + err.message);
      }
      console.log('SUBACK ' + granted.map((g) => g.qos).join(','));
      client.publish(topic, payload, { qos: 1 });
    });
  });
  client.on('message', (t, message) => {
    console.log('RECEIVED ' + t + ' ' + message.toString());
    received = true;
    client.end(false, () => {
      // Errors of the closing connection arrive a moment later, if at all: give them the time.
      setTimeout(() => round(n + 1), 200);
    });
  });
  client.on('close', () => {
    if (!received) {
      fail('CLOSED before the exchange');
    }
  });
}

round(0);
