package io.mqttra.api.admin;

/**
 * One session, with or without a connection.
 *
 * @param clientId             client identifier
 * @param connected            true while a connection (or a message-driven bean) is attached
 * @param local                true for a session of code inside the server (message-driven beans), which has no socket
 * @param persistent           true when the session outlives its connection (expiry interval above 0)
 * @param protocolVersion      {@code 3.1}, {@code 3.1.1} or {@code 5.0} of its last connection
 * @param sessionExpirySeconds session expiry interval (4294967295: never expires)
 * @param inflight             QoS 1/2 messages sent and not yet acknowledged
 * @param queued               messages waiting to be sent
 * @param subscriptions        number of subscriptions
 */
public record SessionInfo(
        String clientId,
        boolean connected,
        boolean local,
        boolean persistent,
        String protocolVersion,
        long sessionExpirySeconds,
        int inflight,
        int queued,
        int subscriptions) {}
