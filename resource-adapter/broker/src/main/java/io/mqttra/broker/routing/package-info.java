/**
 * Routing of application messages (MQTT section 4.7 and 4.8): topic syntax, the subscription tree that finds
 * the subscriptions matching a topic without scanning them all, shared subscription groups, retained messages,
 * and the {@link io.mqttra.broker.routing.Router} that turns one PUBLISH into one delivery per matching session.
 * Everything here is safe for concurrent use without a lock shared by all clients.
 */
package io.mqttra.broker.routing;
