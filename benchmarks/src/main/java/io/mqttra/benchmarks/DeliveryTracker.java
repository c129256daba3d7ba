package io.mqttra.benchmarks;

import java.nio.ByteBuffer;
import java.util.BitSet;

/**
 * What one subscriber received: unique messages per publisher (by sequence number), duplicates, messages that
 * arrived out of order, and latency. Loss is what was expected but never seen.
 *
 * <p>Synchronized because a client may call back on more than one thread; each subscriber has its own tracker,
 * so the lock is uncontended.
 */
final class DeliveryTracker {

    private final BitSet[] seen;
    private final long[] lastSeq;
    private final LatencyRecorder latency;
    private long unique;
    private long duplicates;
    private long reordered;
    private long foreign;
    private long lastArrivalNanos;

    DeliveryTracker(int publishers, int latencySamples) {
        this.seen = new BitSet[publishers];
        this.lastSeq = new long[publishers];
        for (int i = 0; i < publishers; i++) {
            seen[i] = new BitSet();
            lastSeq[i] = -1;
        }
        this.latency = new LatencyRecorder(latencySamples);
    }

    synchronized void onMessage(ByteBuffer payload) {
        long now = System.nanoTime();
        if (!Payload.wellFormed(payload)) {
            foreign++;
            return;
        }
        int publisher = Payload.publisher(payload);
        long seq = Payload.seq(payload);
        if (publisher < 0 || publisher >= seen.length || seq < 0 || seq > Integer.MAX_VALUE) {
            foreign++;
            return;
        }
        if (seen[publisher].get((int) seq)) {
            duplicates++;
            return;
        }
        seen[publisher].set((int) seq);
        unique++;
        if (seq < lastSeq[publisher]) {
            reordered++;
        }
        lastSeq[publisher] = Math.max(lastSeq[publisher], seq);
        latency.record(now - Payload.sendNanos(payload));
        lastArrivalNanos = now;
    }

    /** Counts a message that does not belong to this run (another scenario's leftovers, a sample app's traffic). */
    synchronized void onForeign() {
        foreign++;
    }

    synchronized long unique() {
        return unique;
    }

    synchronized long duplicates() {
        return duplicates;
    }

    synchronized long reordered() {
        return reordered;
    }

    synchronized long foreign() {
        return foreign;
    }

    synchronized long lastArrivalNanos() {
        return lastArrivalNanos;
    }

    synchronized LatencyRecorder latency() {
        return latency;
    }
}
