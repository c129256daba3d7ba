/**
 * The MQTT wire protocol of one network connection: {@link io.mqttra.broker.protocol.MqttChannelHandler} accepts
 * or refuses the CONNECT (including MQTT 5 enhanced authentication) and reports the end of the connection;
 * {@code ClientConnection} handles every later packet as a task of the connection's session. Bad input is answered
 * as the standard prescribes (CONNACK / DISCONNECT reason code, or closing the connection) with one log line.
 */
package io.mqttra.broker.protocol;
