package io.mqttra.persistence;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The parent's handle on a {@link BrokerChild}: a broker on an H2 file in a JVM with a bounded heap. */
final class BrokerProcess implements AutoCloseable {

    /** What {@code STATS} reports. */
    record Stats(long queued, long usedHeap, long storedMessages, long queueEntries, int sessions) {}

    private final Process process;
    private final BufferedReader out;
    private final PrintWriter in;
    private final int port;

    BrokerProcess(Path h2Dir, String maxHeap, int maxQueued, long cleanupMillis, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap,
                "-XX:+ExitOnOutOfMemoryError",
                "-cp",
                System.getProperty("java.class.path"),
                BrokerChild.class.getName(),
                h2Dir.toString(),
                Integer.toString(maxQueued),
                Long.toString(cleanupMillis)));
        process = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        String first = readLine();
        if (!first.startsWith("PORT ")) {
            throw new IllegalStateException("broker child did not start: " + first + " (see " + log + ")");
        }
        port = Integer.parseInt(first.substring(5));
    }

    int port() {
        return port;
    }

    Stats stats(String clientId) throws IOException {
        in.println("STATS " + clientId);
        String[] f = readLine().split(" ");
        return new Stats(
                Long.parseLong(f[1]),
                Long.parseLong(f[2]),
                Long.parseLong(f[3]),
                Long.parseLong(f[4]),
                Integer.parseInt(f[5]));
    }

    /**
     * The used heap after a GC, the least of three readings half a second apart: what stays on the heap, not what a
     * background task (H2's store writer, the store cleanup) happens to hold during one collection.
     */
    long retainedHeap(String clientId) throws IOException, InterruptedException {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            if (i > 0) {
                Thread.sleep(500);
            }
            least = Math.min(least, stats(clientId).usedHeap());
        }
        return least;
    }

    /** Stops the broker and closes the store cleanly, as a server shutdown does. */
    void stop() throws IOException, InterruptedException {
        in.println("STOP");
        String line = readLine();
        if (!line.equals("STOPPED") || !process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("broker child did not stop: " + line);
        }
    }

    private String readLine() throws IOException {
        String line = out.readLine();
        if (line == null) {
            throw new IllegalStateException("broker child ended (exit " + waitExit() + "): out of memory?");
        }
        return line;
    }

    private int waitExit() {
        try {
            return process.waitFor(10, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
