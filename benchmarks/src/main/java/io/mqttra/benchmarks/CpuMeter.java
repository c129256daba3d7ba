package io.mqttra.benchmarks;

/** The broker's CPU time between {@link #start} and {@link #microsPerMessage}. */
final class CpuMeter {

    private final Target target;
    private final long ticksPerSecond;
    private final long startTicks;

    private CpuMeter(Target target, long ticksPerSecond) {
        this.target = target;
        this.ticksPerSecond = ticksPerSecond;
        this.startTicks = ProcessStats.cpuTicks(target.pid());
    }

    static CpuMeter start(Target target, Settings settings) {
        return new CpuMeter(target, settings.clockTicksPerSecond());
    }

    /** Broker CPU microseconds per message, or NaN when the process cannot be read or nothing arrived. */
    double microsPerMessage(long messages) {
        long end = ProcessStats.cpuTicks(target.pid());
        if (startTicks < 0 || end < 0 || messages <= 0) {
            return Double.NaN;
        }
        return (end - startTicks) * 1_000_000.0 / ticksPerSecond / messages;
    }
}
