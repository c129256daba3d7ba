package io.mqttra.broker.store;

import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * How long the store takes to make writes durable: a durable store records each of its commits here, the broker's
 * metrics read it. The latency of QoS 1/2 acknowledgements is mostly this commit time (PUBACK waits for it), so it
 * is the first figure to look at when acknowledgements slow down. A store that commits nothing of its own (the
 * in-memory one) leaves every figure at 0.
 */
public final class CommitStatistics {

    private final LongAdder commits = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private final LongAdder totalNanos = new LongAdder();
    private final LongAccumulator maxNanos = new LongAccumulator(Math::max, 0);
    private volatile long lastNanos;

    /**
     * One transaction committed.
     *
     * @param writeCount writes it made durable at once (group commit)
     * @param nanos      how long the transaction took, from its start to the end of its commit
     */
    public void committed(int writeCount, long nanos) {
        commits.increment();
        writes.add(writeCount);
        totalNanos.add(nanos);
        maxNanos.accumulate(nanos);
        lastNanos = nanos;
    }

    /** Transactions committed since start. */
    public long commits() {
        return commits.sum();
    }

    /** Writes made durable since start; divided by {@link #commits()}, the mean size of a group commit. */
    public long writes() {
        return writes.sum();
    }

    /** Time spent committing since start, in nanoseconds. */
    public long totalNanos() {
        return totalNanos.sum();
    }

    /** Longest commit since start, in nanoseconds. */
    public long maxNanos() {
        return maxNanos.get();
    }

    /** The most recent commit, in nanoseconds. */
    public long lastNanos() {
        return lastNanos;
    }
}
