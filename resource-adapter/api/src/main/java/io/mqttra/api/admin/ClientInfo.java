package io.mqttra.api.admin;

/**
 * A client connected over the network.
 *
 * @param clientId        client identifier
 * @param remoteAddress   where it connects from ({@code host:port})
 * @param protocolVersion {@code 3.1}, {@code 3.1.1} or {@code 5.0}
 * @param keepAliveSeconds keep alive in force (0: none)
 * @param sessionExpirySeconds session expiry interval (0: the session ends with the connection;
 *                        4294967295: never expires)
 * @param inflight        QoS 1/2 messages sent to it and not yet acknowledged
 * @param queued          messages waiting for a free slot in its in-flight window
 * @param subscriptions   number of subscriptions of its session
 */
public record ClientInfo(
        String clientId,
        String remoteAddress,
        String protocolVersion,
        int keepAliveSeconds,
        long sessionExpirySeconds,
        int inflight,
        int queued,
        int subscriptions) {}
