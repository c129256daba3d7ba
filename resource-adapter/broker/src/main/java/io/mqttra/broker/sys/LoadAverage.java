package io.mqttra.broker.sys;

/**
 * An exponentially decaying average of a counter's rate per minute, like the {@code $SYS/broker/load/...}
 * figures of Mosquitto (and the load average of Unix): fed the counter at each $SYS tick, so it costs
 * nothing on the message path.
 */
final class LoadAverage {

    private final double windowSeconds;
    private double perMinute;
    private long lastCount = -1;

    LoadAverage(int windowMinutes) {
        this.windowSeconds = windowMinutes * 60.0;
    }

    /** Takes the counter's current value, {@code elapsedSeconds} after the previous one. */
    void update(long count, double elapsedSeconds) {
        if (lastCount >= 0 && elapsedSeconds > 0) {
            double rate = (count - lastCount) * 60.0 / elapsedSeconds;
            double decay = Math.exp(-elapsedSeconds / windowSeconds);
            perMinute = perMinute * decay + rate * (1 - decay);
        }
        lastCount = count;
    }

    double perMinute() {
        return perMinute;
    }
}
