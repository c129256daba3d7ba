package io.mqttra.benchmarks;

/**
 * One scenario against one broker. For message scenarios {@code expected}/{@code delivered} count messages at the
 * subscribers; for the idle-connection scenario they count connections and {@code rssPerConnectionKiB} is set.
 * NaN marks a figure that could not be measured.
 */
record Result(
        String scenario,
        String broker,
        Kind kind,
        long expected,
        long delivered,
        double seconds,
        double p50Millis,
        double p99Millis,
        double cpuMicrosPerMessage,
        long duplicates,
        long reordered,
        double rssPerConnectionKiB,
        String note) {

    enum Kind {
        MESSAGES,
        CONNECTIONS,
        FAILED
    }

    long lost() {
        return Math.max(0, expected - delivered);
    }

    double rate() {
        return seconds > 0 ? delivered / seconds : Double.NaN;
    }

    static Result failed(String scenario, String broker, String why) {
        return new Result(
                scenario,
                broker,
                Kind.FAILED,
                0,
                0,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                0,
                0,
                Double.NaN,
                why);
    }
}
