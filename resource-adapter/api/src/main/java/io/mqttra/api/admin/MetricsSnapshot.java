package io.mqttra.api.admin;

import java.util.List;

/**
 * The broker's figures at one moment. Counters ({@code ...Total}, messages, bytes) count since the broker started;
 * the others are current values. Per-QoS lists have three entries, for QoS 0, 1 and 2.
 *
 * @param timestampMillis     when the snapshot was taken (epoch milliseconds)
 * @param connections         open network connections
 * @param connectionsTotal    connections accepted since start
 * @param connectionsRejected connections refused (limit reached or CONNECT rejected)
 * @param sessions            sessions known (online, offline, message-driven beans)
 * @param subscriptions       subscriptions (members of shared subscriptions included)
 * @param retainedMessages    retained messages
 * @param messagesInByQos     PUBLISH received from clients and applications, by QoS
 * @param messagesOutByQos    PUBLISH delivered to sessions, by the QoS of the delivery
 * @param bytesInByQos        payload bytes received, by QoS
 * @param bytesOutByQos       payload bytes delivered, by QoS
 * @param messagesDropped     deliveries dropped (queue full, expired, too large for the client)
 * @param queued              messages waiting in session queues (not yet in flight)
 * @param inflight            QoS 1/2 messages sent and not yet acknowledged
 * @param protocolErrors      connections closed for a protocol violation or a malformed packet
 * @param beanDeliveries      deliveries to message-driven beans, their redeliveries and dead letters
 * @param storeCommits        the store's commits and their times
 */
public record MetricsSnapshot(
        long timestampMillis,
        long connections,
        long connectionsTotal,
        long connectionsRejected,
        long sessions,
        long subscriptions,
        long retainedMessages,
        List<Long> messagesInByQos,
        List<Long> messagesOutByQos,
        List<Long> bytesInByQos,
        List<Long> bytesOutByQos,
        long messagesDropped,
        long queued,
        long inflight,
        long protocolErrors,
        BeanDeliveries beanDeliveries,
        StoreCommits storeCommits) {

    public MetricsSnapshot {
        beanDeliveries = beanDeliveries == null ? BeanDeliveries.NONE : beanDeliveries;
        storeCommits = storeCommits == null ? StoreCommits.NONE : storeCommits;
        messagesInByQos = perQos(messagesInByQos, "messagesInByQos");
        messagesOutByQos = perQos(messagesOutByQos, "messagesOutByQos");
        bytesInByQos = perQos(bytesInByQos, "bytesInByQos");
        bytesOutByQos = perQos(bytesOutByQos, "bytesOutByQos");
    }

    private static List<Long> perQos(List<Long> values, String name) {
        if (values == null || values.size() != 3) {
            throw new IllegalArgumentException(name + " needs one value per QoS (0, 1, 2): " + values);
        }
        return List.copyOf(values);
    }

    /** All zero: the figures of a broker that does not run. */
    public static MetricsSnapshot empty(long timestampMillis) {
        List<Long> none = List.of(0L, 0L, 0L);
        return new MetricsSnapshot(
                timestampMillis,
                0,
                0,
                0,
                0,
                0,
                0,
                none,
                none,
                none,
                none,
                0,
                0,
                0,
                0,
                BeanDeliveries.NONE,
                StoreCommits.NONE);
    }

    /** PUBLISH received, all QoS. */
    public long messagesIn() {
        return sum(messagesInByQos);
    }

    /** PUBLISH delivered, all QoS. */
    public long messagesOut() {
        return sum(messagesOutByQos);
    }

    public long bytesIn() {
        return sum(bytesInByQos);
    }

    public long bytesOut() {
        return sum(bytesOutByQos);
    }

    private static long sum(List<Long> values) {
        return values.get(0) + values.get(1) + values.get(2);
    }
}
