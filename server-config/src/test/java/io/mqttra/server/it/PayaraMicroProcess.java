package io.mqttra.server.it;

import io.mqttra.it.RestartSafePort;
import io.mqttra.it.ServerLog;
import java.io.IOException;
import java.net.InetSocketAddress;
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
    private final ServerLog log;
    private final int mqttPort;
    private final int httpPort;
    private final int hazelcastPort;
    private final List<String> javaOptions;
    private final Map<String, String> environment;
    private final List<String> arguments;
    private final Thread killOnExit;
    private Process process;
    private int starts;

    PayaraMicroProcess(Path runMicro, Path dataDir, List<String> javaOptions) {
        this(runMicro, dataDir, javaOptions, Map.of());
    }

    /** @param environment more variables for run-micro.sh, e.g. MQTT_WS_PORT */
    PayaraMicroProcess(Path runMicro, Path dataDir, List<String> javaOptions, Map<String, String> environment) {
        this(runMicro, dataDir, javaOptions, environment, List.of());
    }

    /** @param arguments run-micro.sh's extra arguments, which go to Payara Micro (e.g. --addlibs) */
    PayaraMicroProcess(
            Path runMicro,
            Path dataDir,
            List<String> javaOptions,
            Map<String, String> environment,
            List<String> arguments) {
        this.arguments = List.copyOf(arguments);
        this.environment = Map.copyOf(environment);
        this.runMicro = runMicro;
        this.dataDir = dataDir;
        this.log = new ServerLog(dataDir.resolve("micro.log"));
        this.mqttPort = RestartSafePort.pick();
        this.httpPort = RestartSafePort.pick();
        this.hazelcastPort = RestartSafePort.pick();
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
        return log.file();
    }

    /** Starts the server and returns once the broker listens and every archive is deployed. */
    Duration start(Duration timeout) throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("Payara Micro is already running, pid " + process.pid());
        }
        Files.createDirectories(dataDir);
        long logOffset = log.size();
        starts++;
        Files.writeString(
                log.file(),
                "\n===== start " + starts + " =====\n",
                StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        List<String> command = new java.util.ArrayList<>(List.of("bash", runMicro.toString()));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.file().toFile()));
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
                throw new IllegalStateException(
                        "Payara Micro exited with " + process.exitValue() + " during start; log tail:\n" + tail());
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
        return log.tail();
    }

    String logSince(long offset) throws IOException {
        return log.since(offset);
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
}
