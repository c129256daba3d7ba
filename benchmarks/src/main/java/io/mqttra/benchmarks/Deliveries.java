package io.mqttra.benchmarks;

import java.util.ArrayList;
import java.util.List;

/** The trackers of all subscribers of one run, summed, and the wait for the expected deliveries. */
final class Deliveries {

    private final List<DeliveryTracker> trackers = new ArrayList<>();

    DeliveryTracker newTracker(int publishers, int latencySamples) {
        DeliveryTracker t = new DeliveryTracker(publishers, latencySamples);
        trackers.add(t);
        return t;
    }

    long unique() {
        return trackers.stream().mapToLong(DeliveryTracker::unique).sum();
    }

    long duplicates() {
        return trackers.stream().mapToLong(DeliveryTracker::duplicates).sum();
    }

    long reordered() {
        return trackers.stream().mapToLong(DeliveryTracker::reordered).sum();
    }

    long foreign() {
        return trackers.stream().mapToLong(DeliveryTracker::foreign).sum();
    }

    long lastArrivalNanos() {
        return trackers.stream()
                .mapToLong(DeliveryTracker::lastArrivalNanos)
                .max()
                .orElse(0);
    }

    LatencyRecorder mergedLatency(int capacity) {
        LatencyRecorder all = new LatencyRecorder(capacity);
        trackers.forEach(t -> all.addAll(t.latency()));
        return all;
    }

    /**
     * Waits until {@code expected} unique messages arrived, nothing arrived for {@code quietMillis}
     * (the rest is lost), or the deadline passed. Bounded in time by construction.
     */
    boolean awaitAll(long expected, long quietMillis, long deadlineNanos) {
        long lastCount = -1;
        long lastChange = System.nanoTime();
        while (true) {
            long count = unique();
            if (count >= expected) {
                return true;
            }
            long now = System.nanoTime();
            if (count != lastCount) {
                lastCount = count;
                lastChange = now;
            } else if (now - lastChange > quietMillis * 1_000_000L) {
                return false;
            }
            if (now > deadlineNanos) {
                return false;
            }
            sleep(10);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
