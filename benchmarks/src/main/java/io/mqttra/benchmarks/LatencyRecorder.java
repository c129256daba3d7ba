package io.mqttra.benchmarks;

import java.util.Arrays;

/** Keeps up to a fixed number of latency samples (nanoseconds) and reports percentiles. Not thread-safe. */
final class LatencyRecorder {

    private final long[] samples;
    private int size;

    LatencyRecorder(int capacity) {
        this.samples = new long[Math.max(1, capacity)];
    }

    void record(long nanos) {
        if (size < samples.length) {
            samples[size++] = nanos;
        }
    }

    void addAll(LatencyRecorder other) {
        int n = Math.min(other.size, samples.length - size);
        System.arraycopy(other.samples, 0, samples, size, n);
        size += n;
    }

    int size() {
        return size;
    }

    /** The p-th percentile in milliseconds (nearest rank), or NaN without samples. Sorts in place. */
    double percentileMillis(double p) {
        if (size == 0) {
            return Double.NaN;
        }
        Arrays.sort(samples, 0, size);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return samples[Math.min(size - 1, Math.max(0, rank - 1))] / 1_000_000.0;
    }
}
