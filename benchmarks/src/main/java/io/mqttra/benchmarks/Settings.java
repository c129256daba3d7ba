package io.mqttra.benchmarks;

/**
 * Sizes and bounds of one benchmark run. Every scenario is bounded in count and in time; the quick profile keeps
 * a run against three brokers under three minutes, the full one under about fifteen.
 *
 * <p>The persistent-session scenario queues at most 1,000 messages per session: Mosquitto and the engine both
 * keep at most 1,000 queued messages per session by default, and the brokers are measured as shipped.
 */
record Settings(
        boolean quick,
        int protocol,
        long clockTicksPerSecond,
        int fanInPublishers,
        int fanInMessagesPerPublisher,
        int fanOutSubscribers,
        int fanOutMessages,
        int latencyRate,
        int latencySeconds,
        int idleConnections,
        int retainedMessages,
        int durableSessions,
        int durableMessages,
        int inFlightPerPublisher,
        long runTimeoutMillis,
        long quietMillis) {

    static Settings full(int protocol, long clockTicks, int idleConnections) {
        return new Settings(
                false,
                protocol,
                clockTicks,
                10,
                10_000,
                100,
                2_000,
                2_000,
                10,
                idleConnections,
                10_000,
                20,
                1_000,
                30,
                40_000,
                3_000);
    }

    static Settings quick(int protocol, long clockTicks, int idleConnections) {
        return new Settings(
                true,
                protocol,
                clockTicks,
                4,
                2_500,
                100,
                200,
                2_000,
                3,
                Math.min(idleConnections, 2_000),
                2_000,
                4,
                500,
                30,
                15_000,
                2_000);
    }

    /** The same run with other sizes for the persistent-session scenario. */
    Settings withDurable(int sessions, int messages) {
        return new Settings(
                quick,
                protocol,
                clockTicksPerSecond,
                fanInPublishers,
                fanInMessagesPerPublisher,
                fanOutSubscribers,
                fanOutMessages,
                latencyRate,
                latencySeconds,
                idleConnections,
                retainedMessages,
                sessions,
                messages,
                inFlightPerPublisher,
                runTimeoutMillis,
                quietMillis);
    }

    long runDeadline() {
        return System.nanoTime() + runTimeoutMillis * 1_000_000L;
    }
}
