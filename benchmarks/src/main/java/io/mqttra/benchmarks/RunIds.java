package io.mqttra.benchmarks;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fresh topic prefix and client-id prefix per scenario run, so that nothing left over from an earlier run
 * (queued QoS 1 messages, sessions, retained messages) is counted in a later one.
 */
final class RunIds {

    private static final String PROCESS = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    private static final AtomicInteger NEXT = new AtomicInteger();

    private RunIds() {}

    static String next() {
        return "b" + PROCESS + "x" + NEXT.incrementAndGet();
    }
}
