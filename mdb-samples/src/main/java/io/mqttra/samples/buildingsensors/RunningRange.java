package io.mqttra.samples.buildingsensors;

/** Min, max and mean of a stream of values, in constant memory. Not thread-safe: its room serialises access. */
final class RunningRange {

    private long count;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private double sum;

    void add(Double value) {
        if (value == null) {
            return;
        }
        count++;
        min = Math.min(min, value);
        max = Math.max(max, value);
        sum += value;
    }

    /** Null before the first value. The mean is rounded to hundredths: sensors resolve tenths at best. */
    Range range() {
        return count == 0 ? null : new Range(min, max, Math.round(sum / count * 100) / 100.0);
    }
}
