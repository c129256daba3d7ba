package io.mqttra.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Opens as many idle connections as asked (run.sh asks for what the file-descriptor limit allows), keep-alive off
 * [MQTT-3.1.2-10] (0 disables it), and measures the broker's resident memory per connection. For a JVM broker the
 * heap is collected (jcmd GC.class_histogram) before both readings, and the live heap per connection is reported
 * as well, since RSS also depends on how much heap the JVM keeps committed.
 */
final class IdleConnectionsScenario implements Scenario {

    private static final int CONNECTS_IN_FLIGHT = 200;
    private static final int GIVE_UP_AFTER_FAILURES = 200;

    @Override
    public String name() {
        return "idle connections";
    }

    @Override
    public String key() {
        return "idle";
    }

    @Override
    public List<Result> run(Target target, Settings s) throws Exception {
        String run = RunIds.next();
        int wanted = s.idleConnections();
        long liveBefore = settle(target);
        long rssBefore = ProcessStats.rssKiB(target.pid());
        List<BenchClient> open = new ArrayList<>();
        AtomicInteger failures = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        Semaphore inFlight = new Semaphore(CONNECTS_IN_FLIGHT);
        long deadline = System.nanoTime() + (s.quick() ? 30 : 120) * 1_000_000_000L;
        long start = System.nanoTime();
        int attempted = 0;
        try {
            for (; attempted < wanted && failures.get() < GIVE_UP_AFTER_FAILURES; attempted++) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0 || !inFlight.tryAcquire(remaining, TimeUnit.NANOSECONDS)) {
                    break;
                }
                BenchClient c =
                        BenchClient.create(s.protocol(), target, run + "-idle" + attempted, MessageHandler.IGNORE);
                c.connect(true, 0, 0).whenComplete((ok, e) -> {
                    if (e == null) {
                        synchronized (open) {
                            open.add(c);
                        }
                    } else {
                        failures.incrementAndGet();
                        firstError.compareAndSet(null, String.valueOf(e));
                    }
                    inFlight.release();
                });
            }
            inFlight.tryAcquire(
                    CONNECTS_IN_FLIGHT,
                    Math.max(0, deadline - System.nanoTime()) + 20_000_000_000L,
                    TimeUnit.NANOSECONDS);
            double seconds = (System.nanoTime() - start) / 1e9;
            int connected;
            synchronized (open) {
                connected = open.size();
            }
            long liveAfter = settle(target);
            long rssAfter = ProcessStats.rssKiB(target.pid());
            double perConnection = rssBefore > 0 && rssAfter > 0 && connected > 0
                    ? (double) (rssAfter - rssBefore) / connected
                    : Double.NaN;
            String live = liveBefore > 0 && liveAfter > 0 && connected > 0
                    ? String.format(
                            java.util.Locale.ROOT,
                            "; live heap +%.2f KiB/connection",
                            (liveAfter - liveBefore) / 1024.0 / connected)
                    : "";
            String note = String.format(
                            java.util.Locale.ROOT,
                            "RSS %,d → %,d KiB%s",
                            rssBefore,
                            rssAfter,
                            isJvm(target) ? " (after GC)" : "")
                    + live
                    + (failures.get() > 0
                            ? "; " + failures.get() + " refused, first: " + Notes.shorten(firstError.get())
                            : "");
            return List.of(new Result(
                    name(),
                    target.name(),
                    Result.Kind.CONNECTIONS,
                    attempted,
                    connected,
                    seconds,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    0,
                    0,
                    perConnection,
                    note));
        } finally {
            closeAll(open);
        }
    }

    private static void closeAll(List<BenchClient> open) {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        synchronized (open) {
            for (BenchClient c : open) {
                pending.add(c.disconnect().exceptionally(e -> null));
            }
            open.clear();
        }
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("  (some idle connections did not close cleanly: " + e + ")");
        }
        // Let the broker finish tearing the connections down before the next broker is measured.
        Deliveries.sleep(2_000);
    }

    /**
     * Collects a JVM broker's heap and returns its live bytes, then gives the process a moment to settle.
     * GC.class_histogram runs a full collection first and ends with a "Total" line of instances and bytes; the
     * difference of two such totals is the heap the connections keep alive, whatever the JVM keeps committed.
     * Returns -1 for a broker that is not a JVM or when jcmd fails.
     */
    private static long settle(Target target) {
        long live = -1;
        if (isJvm(target)) {
            try {
                Process p = new ProcessBuilder("jcmd", Long.toString(target.pid()), "GC.class_histogram")
                        .redirectErrorStream(true)
                        .start();
                // Only the last line matters; reading everything keeps the pipe from filling up.
                String last = "";
                try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        if (line.startsWith("Total")) {
                            last = line;
                        }
                    }
                }
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
                String[] fields = last.trim().split("\\s+");
                if (fields.length >= 3) {
                    live = Long.parseLong(fields[2]);
                }
            } catch (Exception e) {
                System.err.println("  (jcmd GC.class_histogram failed: " + e + ")");
            }
        }
        Deliveries.sleep(1_500);
        return live;
    }

    private static boolean isJvm(Target target) {
        if (target.pid() <= 0) {
            return false;
        }
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(target.pid()), "cmdline")))
                    .contains("java");
        } catch (Exception e) {
            return false;
        }
    }
}
