package io.mqttra.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Runs every scenario against every broker, interleaved (scenario by scenario, the brokers' order rotating), and
 * prints a markdown table. Brokers are started by benchmarks/run.sh; this program only connects to them.
 *
 * <pre>
 * --target name=host:port[:pid]   a broker (repeat; a name containing "mosquitto" is the reference)
 * --quick                         the small profile (about a minute per broker)
 * --protocol 5|3                  MQTT 5.0 (default) or 3.1.1 clients
 * --clk-tck N                     clock ticks per second of /proc/PID/stat (getconf CLK_TCK; default 100)
 * --connections N                 idle connections to ask for (default 19,500; quick: at most 2,000)
 * --only k1,k2                    scenarios to run: warmup,fanin,fanout,latency,retained,durable,mdb,txpublish,idle
 * --payara-http URL               Payara's HTTP address (http://127.0.0.1:PORT), for txpublish
 * --budget-seconds N              skip the scenarios that would start after this (default 780; quick 150)
 * --out FILE                      also write the table to FILE
 * </pre>
 */
public final class BenchmarkMain {

    private BenchmarkMain() {}

    public static void main(String[] args) throws Exception {
        List<Target> targets = new ArrayList<>();
        boolean quick = false;
        int protocol = 5;
        long clockTicks = 100;
        int connections = 19_500;
        Set<String> only = null;
        long budgetSeconds = -1;
        Path out = null;
        String payaraHttp = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--target" -> targets.add(Target.parse(args[++i]));
                case "--quick" -> quick = true;
                case "--protocol" -> protocol = Integer.parseInt(args[++i]);
                case "--clk-tck" -> clockTicks = Long.parseLong(args[++i]);
                case "--connections" -> connections = Integer.parseInt(args[++i]);
                case "--only" ->
                    only = Arrays.stream(args[++i].split(",")).map(String::trim).collect(Collectors.toSet());
                case "--budget-seconds" -> budgetSeconds = Long.parseLong(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--payara-http" -> payaraHttp = args[++i];
                default -> {
                    usage();
                    return;
                }
            }
        }
        if (targets.isEmpty()) {
            usage();
            return;
        }
        if (protocol != 3 && protocol != 5) {
            throw new IllegalArgumentException("--protocol must be 3 or 5");
        }
        Settings settings = quick
                ? Settings.quick(protocol, clockTicks, connections)
                : Settings.full(protocol, clockTicks, connections);
        long budgetNanos = (budgetSeconds > 0 ? budgetSeconds : quick ? 150 : 780) * 1_000_000_000L;

        List<Result> results = run(targets, settings, only, budgetNanos, payaraHttp);
        String table = "MQTT " + (protocol == 3 ? "3.1.1" : "5.0") + " clients, " + (quick ? "quick" : "full")
                + " profile.\n\n" + new ResultTable(results).render();
        System.out.println(table);
        if (out != null) {
            Files.writeString(out, table);
        }
        // The HiveMQ client keeps non-daemon I/O threads alive; the run is over.
        System.exit(0);
    }

    private static List<Result> run(
            List<Target> targets, Settings settings, Set<String> only, long budgetNanos, String payaraHttp) {
        List<Scenario> scenarios = new ArrayList<>();
        for (int qos = 0; qos <= 2; qos++) {
            scenarios.add(new FanInScenario(qos, 64));
            scenarios.add(new FanInScenario(qos, 1024));
        }
        scenarios.add(new FanOutScenario(0));
        scenarios.add(new FanOutScenario(1));
        for (int qos = 0; qos <= 2; qos++) {
            scenarios.add(new FixedRateLatencyScenario(qos));
        }
        scenarios.add(new RetainedScenario());
        scenarios.add(new PersistentSessionScenario());
        scenarios.add(new MdbRoundTripScenario());
        if (payaraHttp != null) {
            scenarios.add(new TransactionalPublishScenario(payaraHttp, false));
            scenarios.add(new TransactionalPublishScenario(payaraHttp, true));
        }
        scenarios.add(new IdleConnectionsScenario());

        long started = System.nanoTime();
        if (only == null || only.contains("warmup")) {
            warmUp(targets, settings);
        }
        List<Result> results = new ArrayList<>();
        int round = 0;
        for (Scenario scenario : scenarios) {
            if (only != null && !only.contains(scenario.key())) {
                continue;
            }
            // Rotate the order so that no broker always runs right after the same neighbour.
            for (int k = 0; k < targets.size(); k++) {
                Target target = targets.get(Math.floorMod(round + k, targets.size()));
                if ((scenario instanceof MdbRoundTripScenario || scenario instanceof TransactionalPublishScenario)
                        && !target.name().toLowerCase(Locale.ROOT).contains("payara")) {
                    continue; // only the server has message-driven beans and EJBs
                }
                if (System.nanoTime() - started > budgetNanos) {
                    results.add(Result.failed(scenario.name(), target.name(), "skipped: time budget used up"));
                    continue;
                }
                results.addAll(runOne(scenario, target, settings));
            }
            round++;
        }
        System.err.printf(Locale.ROOT, "benchmark finished in %.0f s%n", (System.nanoTime() - started) / 1e9);
        return results;
    }

    private static List<Result> runOne(Scenario scenario, Target target, Settings settings) {
        if (!target.alive()) {
            return List.of(
                    Result.failed(scenario.name(), target.name(), "broker process " + target.pid() + " is gone"));
        }
        String unanswered = probe(target, settings);
        if (unanswered != null) {
            System.err.println(scenario.name() + " against " + target.name() + " skipped: " + unanswered);
            return List.of(Result.failed(scenario.name(), target.name(), unanswered));
        }
        long t0 = System.nanoTime();
        try {
            List<Result> rs = scenario.run(target, settings);
            for (Result r : rs) {
                System.err.printf(
                        Locale.ROOT,
                        "%-45s %-10s %,9d/%,9d %,10.0f/s p50 %s ms cpu %s µs/msg lost %d dup %d (%.1f s)%n",
                        r.scenario(),
                        r.broker(),
                        r.delivered(),
                        r.expected(),
                        r.rate(),
                        ResultTable.num(r.p50Millis(), 2),
                        ResultTable.num(r.cpuMicrosPerMessage(), 1),
                        r.lost(),
                        r.duplicates(),
                        (System.nanoTime() - t0) / 1e9);
            }
            return rs;
        } catch (Exception | OutOfMemoryError e) {
            System.err.println(scenario.name() + " against " + target.name() + " failed: " + e);
            return List.of(Result.failed(scenario.name(), target.name(), String.valueOf(e)));
        }
    }

    /**
     * One CONNECT with a short timeout before each run, so that a broker which does not answer costs seconds, not
     * a time-out per client of the scenario. Returns null when the broker answered, else why not.
     */
    private static String probe(Target target, Settings settings) {
        BenchClient c =
                BenchClient.create(settings.protocol(), target, RunIds.next() + "-probe", MessageHandler.IGNORE);
        java.util.concurrent.CompletableFuture<Void> connected = c.connect(true, 0, 60);
        try {
            connected.get(5, java.util.concurrent.TimeUnit.SECONDS);
            c.disconnect().get(5, java.util.concurrent.TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.TimeoutException e) {
            connected.cancel(true);
            return "no CONNACK within 5 s";
        } catch (Exception e) {
            return "CONNECT failed: " + (e.getCause() != null ? e.getCause() : e);
        }
    }

    /** JIT-compiles the Java brokers (and this generator) before anything is measured; results are discarded. */
    private static void warmUp(List<Target> targets, Settings settings) {
        Settings warm = new Settings(
                settings.quick(),
                settings.protocol(),
                settings.clockTicksPerSecond(),
                4,
                settings.quick() ? 2_500 : 10_000,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                settings.inFlightPerPublisher(),
                settings.runTimeoutMillis(),
                settings.quietMillis());
        for (Target t : targets) {
            for (int qos = 0; qos <= 2; qos++) {
                List<Result> r = runOne(new FanInScenario(qos, 64), t, warm);
                System.err.println("  (warm-up, not reported: " + r.get(0).broker() + " "
                        + r.get(0).scenario() + ")");
            }
        }
    }

    private static void usage() {
        System.err.println(
                "usage: BenchmarkMain --target name=host:port[:pid] [--target ...] [--quick] [--protocol 5|3]"
                        + " [--clk-tck N] [--connections N] [--only warmup,fanin,fanout,latency,retained,durable,mdb,txpublish,idle]"
                        + " [--budget-seconds N] [--out FILE] [--payara-http URL]\n"
                        + "Normally started by benchmarks/run.sh, which starts the brokers.");
    }
}
