package io.mqttra.benchmarks;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Publishes numbered messages from one client with at most {@code window} unacknowledged at a time (for QoS 0:
 * not yet written), optionally at a fixed rate. At a fixed rate the payload carries the intended send time, so a
 * broker that makes the publisher wait shows up in the latency instead of hiding it (coordinated omission).
 */
final class Publisher {

    /** What a publisher managed before its count or its deadline ran out. */
    record Outcome(long sent, long failed, String firstError) {
        Outcome plus(Outcome o) {
            return new Outcome(sent + o.sent, failed + o.failed, firstError != null ? firstError : o.firstError);
        }
    }

    /** Topic for message number {@code seq}: most scenarios use one topic per publisher, the retained one a topic each. */
    @FunctionalInterface
    interface Topics {
        String topic(long seq);
    }

    private final BenchClient client;
    private final int publisherId;
    private final int qos;
    private final int size;
    private final boolean retain;
    private final int window;

    Publisher(BenchClient client, int publisherId, int qos, int size, boolean retain, int window) {
        this.client = client;
        this.publisherId = publisherId;
        this.qos = qos;
        this.size = size;
        this.retain = retain;
        this.window = window;
    }

    /**
     * @param ratePerSecond 0: as fast as the window allows
     */
    Outcome run(Topics topics, long count, long ratePerSecond, long deadlineNanos) throws InterruptedException {
        Semaphore permits = new Semaphore(window);
        AtomicLong failed = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        long periodNanos = ratePerSecond > 0 ? 1_000_000_000L / ratePerSecond : 0;
        long start = System.nanoTime();
        long sent = 0;
        for (long seq = 0; seq < count; seq++) {
            long intended = start + seq * periodNanos;
            if (periodNanos > 0) {
                for (long wait = intended - System.nanoTime(); wait > 0; wait = intended - System.nanoTime()) {
                    if (System.nanoTime() > deadlineNanos) {
                        break;
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
            }
            long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0 || !permits.tryAcquire(remaining, TimeUnit.NANOSECONDS)) {
                break;
            }
            long stamp = periodNanos > 0 ? intended : System.nanoTime();
            client.publish(topics.topic(seq), Payload.encode(publisherId, seq, stamp, size), qos, retain)
                    .whenComplete((ok, error) -> {
                        if (error != null) {
                            failed.incrementAndGet();
                            firstError.compareAndSet(null, String.valueOf(error));
                        }
                        permits.release();
                    });
            sent++;
        }
        // Wait for the acknowledgements still outstanding, bounded by the same deadline.
        long remaining = Math.max(0, deadlineNanos - System.nanoTime());
        if (!permits.tryAcquire(window, remaining, TimeUnit.NANOSECONDS)) {
            firstError.compareAndSet(
                    null, (window - permits.availablePermits()) + " publishes unacknowledged at deadline");
        }
        return new Outcome(sent, failed.get(), firstError.get());
    }

    /** Runs several publishers at once, one thread each, and adds up their outcomes. */
    static Outcome runAll(List<Publisher> publishers, List<Topics> topics, long countEach, long deadlineNanos)
            throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(publishers.size());
        try {
            List<Future<Outcome>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < publishers.size(); i++) {
                Publisher p = publishers.get(i);
                Topics t = topics.get(i);
                futures.add(threads.submit(() -> p.run(t, countEach, 0, deadlineNanos)));
            }
            Outcome total = new Outcome(0, 0, null);
            for (Future<Outcome> f : futures) {
                long remaining = Math.max(1, deadlineNanos - System.nanoTime()) + 5_000_000_000L;
                total = total.plus(f.get(remaining, TimeUnit.NANOSECONDS));
            }
            return total;
        } finally {
            threads.shutdownNow();
            threads.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
