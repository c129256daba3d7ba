package io.mqttra.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Durable QoS 1 throughput into persistent sessions with the JPA store, on H2 (the RAR's default file settings)
 * and on PostgreSQL: the store alone ({@link StoreThroughput}) and the engine with the store over MQTT
 * ({@link EngineWithStore}). Everything runs in this JVM; {@code benchmarks/run.sh --only store} starts it.
 *
 * <pre>
 * --db h2,postgresql   databases to measure (default both)
 * --dir DIR            where H2 files and the private PostgreSQL go (default target/store-bench)
 * --quick              small counts
 * --clk-tck N          clock ticks per second (getconf CLK_TCK; default 100)
 * --parts store,engine,fanout   which measurements (default all three): the store alone, the engine with the
 *                      store and one session copy per message (20 publishers), the engine's fan-out to 20 sessions
 * --repeat N           measure each part N times (default 1), after the warm-up: shows how much a rate varies
 * --out FILE           also write the table to FILE
 * </pre>
 */
public final class StoreBenchmarkMain {

    private static final int CLIENTS = 100;
    private static final int WINDOW = 20;
    private static final int SESSIONS = 20;
    private static final int WARM_UP_RUNS = 5;
    /** Compiling time per run time below which the JIT counts as warm. */
    private static final double QUIET_JIT = 0.20;

    private StoreBenchmarkMain() {}

    public static void main(String[] args) throws Exception {
        List<StoreDatabase> databases = List.of(StoreDatabase.values());
        Path dir = Path.of("target", "store-bench");
        boolean quick = false;
        long clockTicks = 100;
        Path out = null;
        Set<String> parts = Set.of("store", "engine", "fanout");
        int repeat = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--db" ->
                    databases = java.util.Arrays.stream(args[++i].split(","))
                            .map(d -> StoreDatabase.valueOf(d.trim().toUpperCase(Locale.ROOT)))
                            .toList();
                case "--dir" -> dir = Path.of(args[++i]);
                case "--quick" -> quick = true;
                case "--clk-tck" -> clockTicks = Long.parseLong(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--parts" -> parts = Set.of(args[++i].split(","));
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: StoreBenchmarkMain [--db h2,postgresql] [--dir DIR] [--quick]"
                            + " [--clk-tck N] [--parts store,engine,fanout] [--repeat N] [--out FILE]");
                    System.exit(2);
                }
            }
        }
        Files.createDirectories(dir);
        System.setProperty(
                io.mqttra.testpg.LocalPostgres.DIRECTORY_PROPERTY,
                dir.resolve("postgres").toString());
        int storeMessages = quick ? 40_000 : 200_000;
        int durableMessages = quick ? 1_000 : 5_000;
        Settings mqtt = (quick ? Settings.quick(5, clockTicks, 0) : Settings.full(5, clockTicks, 0))
                .withDurable(SESSIONS, durableMessages);

        List<Result> results = new ArrayList<>();
        long started = System.nanoTime();
        for (StoreDatabase db : databases) {
            StoreThroughput store = new StoreThroughput(db, dir, CLIENTS, WINDOW);
            EngineWithStore engine = new EngineWithStore(db, dir);
            try {
                // Warm-up runs JIT-compile the store, the engine and the database driver; not reported.
                if (parts.contains("store")) {
                    store.run(storeMessages / 5, deadline(60), deadline(120));
                    for (int r = 0; r < repeat; r++) {
                        report(results, store.run(storeMessages, deadline(120), deadline(240)));
                    }
                }
                if (parts.contains("engine") || parts.contains("fanout")) {
                    warmUp(engine, mqtt);
                }
                // One session copy per message, as in the store-alone run; then the fan-out of one publisher.
                for (int r = 0; r < repeat && parts.contains("engine"); r++) {
                    report(results, engine.run(mqtt, SESSIONS, 1_000_000));
                }
                for (int r = 0; r < repeat && parts.contains("fanout"); r++) {
                    report(results, engine.run(mqtt, 1, 1_000_000));
                }
            } catch (Exception | OutOfMemoryError e) {
                System.err.println(db + " failed: " + e);
                results.add(Result.failed("durable QoS 1 (" + db.label() + ")", db.label(), String.valueOf(e)));
            }
        }
        System.err.printf(Locale.ROOT, "store benchmark finished in %.0f s%n", (System.nanoTime() - started) / 1e9);
        String table = "Store: " + CLIENTS + " publishers × window " + WINDOW + ", 64 B, one offline session each. "
                + "Engine: MQTT 5.0 clients, " + SESSIONS + " offline sessions; " + SESSIONS + " publishers × "
                + durableMessages + " messages (one session each), then one publisher × " + durableMessages
                + " messages (to all sessions); " + mqtt.inFlightPerPublisher() + " in flight per publisher, 64 B, "
                + "queue limit 1,000,000. All in one JVM: the CPU column is the whole "
                + "JVM (store, database, engine and clients).\n\n" + new ResultTable(results).render();
        System.out.println(table);
        if (out != null) {
            Files.writeString(out, table);
        }
        System.exit(0); // the HiveMQ client keeps non-daemon threads
    }

    /**
     * Runs the engine scenario at full size until the JIT compilers are nearly idle during a run (at most
     * {@link #WARM_UP_RUNS} times). One run of a fifth of the size, as before, left the compilers busy for
     * about 40 % of the JVM's CPU time during the first measured run, which then measured warm-up: its rate was
     * half of the next run's in the same JVM.
     */
    private static void warmUp(EngineWithStore engine, Settings mqtt) throws Exception {
        for (int i = 1; i <= WARM_UP_RUNS; i++) {
            long jit = Jit.millis();
            long start = System.nanoTime();
            engine.run(mqtt, SESSIONS, 1_000_000);
            double share = (Jit.millis() - jit) / ((System.nanoTime() - start) / 1e6);
            System.err.printf(
                    Locale.ROOT, "engine warm-up %d: JIT compiling for %.0f %% of the run's time%n", i, share * 100);
            if (share < QUIET_JIT) {
                return;
            }
        }
    }

    private static long deadline(int seconds) {
        return System.nanoTime() + seconds * 1_000_000_000L;
    }

    private static void report(List<Result> results, List<Result> rs) {
        for (Result r : rs) {
            System.err.printf(
                    Locale.ROOT,
                    "%-55s %-22s %,9d/%,9d %,10.0f/s cpu %s µs/msg lost %d dup %d  %s%n",
                    r.scenario(),
                    r.broker(),
                    r.delivered(),
                    r.expected(),
                    r.rate(),
                    ResultTable.num(r.cpuMicrosPerMessage(), 1),
                    r.lost(),
                    r.duplicates(),
                    r.note());
        }
        results.addAll(rs);
    }
}
