package io.mqttra.benchmarks;

/**
 * One broker under test: where to connect, and which process to watch for CPU time and memory.
 *
 * @param pid the broker's process id, or 0 when unknown (CPU and memory columns stay empty)
 */
record Target(String name, String host, int port, long pid) {

    /** Parses {@code name=host:port[:pid]}. */
    static Target parse(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("target must look like name=host:port[:pid], got " + spec);
        }
        String[] parts = spec.substring(eq + 1).split(":");
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("target must look like name=host:port[:pid], got " + spec);
        }
        long pid = parts.length == 3 ? Long.parseLong(parts[2]) : 0;
        return new Target(spec.substring(0, eq), parts[0], Integer.parseInt(parts[1]), pid);
    }

    boolean isMosquitto() {
        return name.toLowerCase(java.util.Locale.ROOT).contains("mosquitto");
    }

    /** False once the broker process has gone: its later scenarios are skipped instead of timing out one by one. */
    boolean alive() {
        return pid == 0 || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
