package io.mqttra.samples.it.tx;

import io.mqttra.it.ServerLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Payara Micro in its own process, for tests that must crash and restart the server (which Arquillian cannot):
 * its output goes to a log file, readiness is read from that log, and it can be stopped, killed with SIGKILL
 * ({@code kill -9}) or awaited when it halts itself.
 */
final class PayaraMicroProcess implements AutoCloseable {

    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(4);

    private final Process process;
    private final ServerLog log;

    private PayaraMicroProcess(Process process, Path log) {
        this.process = process;
        this.log = new ServerLog(log);
    }

    /**
     * Starts {@code java <jvmOptions> -jar payaraMicroJar <microOptions>} and waits until Payara reports it is ready.
     *
     * @throws IllegalStateException with the end of the log when it exits or does not get ready in time
     */
    static PayaraMicroProcess start(Path payaraMicroJar, List<String> jvmOptions, List<String> microOptions, Path log)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(payaraMicroJar.toString());
        command.addAll(microOptions);
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        // No server outlives the test JVM, even when the run is cut short.
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "payara-micro-reaper"));
        PayaraMicroProcess micro = new PayaraMicroProcess(p, log);
        micro.awaitReady();
        return micro;
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (log.text().contains("ready in")) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("Payara Micro exited with " + process.exitValue() + ":\n" + tail());
            }
            Thread.sleep(250);
        }
        kill();
        throw new IllegalStateException("Payara Micro not ready within " + BOOT_TIMEOUT + ":\n" + tail());
    }

    /** SIGKILL: like {@code kill -9}, no shutdown hook runs. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Waits for the process to end on its own (e.g. a test crash point halted it); its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("Payara Micro still running after " + timeout);
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** The last lines of the server log, for failure messages. */
    String tail() {
        return log.tail();
    }

    String logText() throws IOException {
        return log.text();
    }

    /** SIGTERM, then SIGKILL if it does not end in 30 s. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
