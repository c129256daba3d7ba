/**
 * Who may connect and which topics they may use.
 *
 * <p>At CONNECT the broker hands the user name and password to an {@link io.mqttra.broker.auth.Authenticator}
 * (asynchronous: password hashing and realm calls run off the event loop). Refusals get the CONNACK code each
 * protocol version prescribes ({@link io.mqttra.broker.auth.Refusal}); failed logins are counted and their
 * refusals delayed per remote address ({@link io.mqttra.broker.auth.LoginThrottle}). Two authenticators live
 * here: none (anonymous, and the listener stays on loopback) and a Mosquitto-compatible password file
 * ({@link io.mqttra.broker.auth.PasswordFileAuthenticator}, managed with
 * {@link io.mqttra.broker.auth.PasswordFileTool}); the resource adapter adds the server's security realms.
 *
 * <p>An accepted connection gets its {@link io.mqttra.broker.auth.TopicPermissions}, compiled once from the
 * {@link io.mqttra.broker.auth.Authorizer} (Mosquitto-style ACL file with role sections:
 * {@link io.mqttra.broker.auth.AclFile}); the connection asks them for every PUBLISH, SUBSCRIBE and delivery.
 * Reactions to a denial: PUBLISH QoS 1/2 in MQTT 5 gets PUBACK / PUBREC 0x87; in MQTT 3.1.1 it is acknowledged
 * and dropped, as Mosquitto does; QoS 0 is dropped silently; a denied SUBSCRIBE filter gets 0x80 (3.1.1) or
 * 0x87 (5.0); a message the receiver may not read is not delivered.
 *
 * <p>Passwords never appear in logs: {@link io.mqttra.broker.auth.Credentials#toString()} leaves them out and
 * the connection clears its copies once the authenticator has answered.
 */
package io.mqttra.broker.auth;
