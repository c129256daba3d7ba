package io.mqttra.server.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Payara Micro with the broker, started as its own OS process through {@code server-config/run-micro.sh} (so the
 * test exercises exactly what a user runs), and killable with SIGKILL to simulate a crash.
 *
 * <p>The ports are picked once and kept across restarts, because a restarted broker must be reachable where clients
 * expect it. The data directory is kept too: it is what must survive the crash.
 */
final class PayaraMicroProcess implements AutoCloseable {

    /** Payara logs this when every --deploy archive is deployed; the MQTT port alone may answer a little earlier. */
    private static final String READY_LINE = "ready in";
    private static final String LISTENING_LINE = "MQTT broker listening on";

    private final Path runMicro;
    private final Path dataDir;
    private final Path log;
    private final int mqttPort;
    private final int httpPort;
    private final int hazelcastPort;
    private final List<String> javaOptions;
    private final Map<String, String> environment;
    private final Thread killOnExit;
    private Process process;
    private int starts;

    PayaraMicroProcess(Path runMicro, Path dataDir, List<String> javaOptions) {
        this(runMicro, dataDir, javaOptions, Map.of());
    }

    /** @param environment more variables for run-micro.sh, e.g. MQTT_WS_PORT */
    PayaraMicroProcess(Path runMicro, Path dataDir, List<String> javaOptions, Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
        this.runMicro = runMicro;
        this.dataDir = dataDir;
        this.log = dataDir.resolve("micro.log");
        this.mqttPort = freePort();
        this.httpPort = freePort();
        this.hazelcastPort = freePort();
        this.javaOptions = List.copyOf(javaOptions);
        // A failed or interrupted test run must not leave a Payara behind.
        this.killOnExit = new Thread(this::killQuietly, "kill-payara-micro");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    int mqttPort() {
        return mqttPort;
    }

    int httpPort() {
        return httpPort;
    }

    /** Waits for a process that ends by itself (a test crash point halts it); its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("Payara Micro pid " + process.pid() + " still runs after " + timeout);
        }
        return process.exitValue();
    }

    Path log() {
        return log;
    }

    /** Starts the server and returns once the broker listens and every archive is deployed. */
    Duration start(Duration timeout) throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("Payara Micro is already running, pid " + process.pid());
        }
        Files.createDirectories(dataDir);
        long logOffset = Files.exists(log) ? Files.size(log) : 0;
        starts++;
        Files.writeString(log, "\n===== start " + starts + " =====\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        ProcessBuilder builder = new ProcessBuilder("bash", runMicro.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = builder.environment();
        env.put("MQTT_PORT", Integer.toString(mqttPort));
        env.put("HTTP_PORT", Integer.toString(httpPort));
        env.put("HAZELCAST_PORT", Integer.toString(hazelcastPort));
        env.put("MQTT_RA_DATA", dataDir.toString());
        env.put("MQTT_RA_SKIP_BUILD", "1");
        env.put("JAVA_OPTS", String.join(" ", javaOptions));
        env.putAll(environment);
        long began = System.nanoTime();
        // run-micro.sh execs java, so this process (and its pid) becomes Payara Micro itself.
        process = builder.start();
        long deadline = began + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Payara Micro exited with " + process.exitValue()
                        + " during start; log tail:\n" + tail());
            }
            String since = logSince(logOffset);
            if (since.contains(LISTENING_LINE) && since.contains(READY_LINE) && accepts()) {
                return Duration.ofNanos(System.nanoTime() - began);
            }
            if (since.contains("Failed to start")) {
                killQuietly();
                throw new IllegalStateException("Payara Micro failed to start; log tail:\n" + tail());
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        killQuietly();
        throw new IllegalStateException("Payara Micro not ready within " + timeout + "; log tail:\n" + tail());
    }

    /** The crash: SIGKILL, no shutdown hook, no stop() of the resource adapter, no flush. */
    void killHard() throws InterruptedException {
        Process running = process;
        if (running == null) {
            return;
        }
        running.descendants().forEach(ProcessHandle::destroyForcibly);
        running.destroyForcibly();
        if (!running.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("Payara Micro pid " + running.pid() + " survived SIGKILL for 30 s");
        }
    }

    long pid() {
        return process.pid();
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    String logSince(long offset) throws IOException {
        byte[] all = Files.readAllBytes(log);
        return offset >= all.length ? "" : new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8);
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", mqttPort), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void killQuietly() {
        Process running = process;
        if (running != null && running.isAlive()) {
            running.descendants().forEach(ProcessHandle::destroyForcibly);
            running.destroyForcibly();
            try {
                running.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        killQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException alreadyExiting) {
            // the hook runs anyway
        }
    }

    /** Empties a data directory left by an earlier run, so that a test starts from nothing. */
    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * A free port below the kernel's ephemeral range. A port from {@code new ServerSocket(0)} lies inside that range,
     * so while the server is down (crash to restart) any outgoing connection on the machine may take it as its
     * local port and the restarted broker then fails with "Address already in use" (seen on a busy machine).
     */
    static int freePort() {
        int below = ephemeralRangeStart();
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = random.nextInt(10_000, below);
            if (port >= 6900 && port < 7000) {
                continue; // Hazelcast's default range, used by other Payara instances
            }
            try (ServerSocket any = new ServerSocket()) {
                any.setReuseAddress(false);
                any.bind(new InetSocketAddress(port));
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port found between 10000 and " + below);
    }

    private static int ephemeralRangeStart() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            int low = Integer.parseInt(range.split("\\s+")[0]);
            return low > 11_000 ? low : 32_768;
        } catch (IOException | RuntimeException notLinux) {
            return 32_768;
        }
    }
}
