package io.mqttra.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Transactional QoS 2 publishes from an EJB inside Payara, one message per JTA transaction, through the connection
 * factory: one HTTP request asks the samples' bench endpoint ({@code POST /mdb-samples/api/bench/transactions},
 * io.mqttra.samples.bench) to run N transactions from C managed tasks; a subscriber here counts what arrives. A
 * committed QoS 2 message must arrive exactly once: Lost is committed but never seen, Dup seen twice. The tasks run
 * in parallel, so the arrival order is not checked. With {@code order} each transaction also writes the orders sample's row to its XA
 * H2 data source, so the server runs a two-phase commit over the database and the broker.
 */
final class TransactionalPublishScenario implements Scenario {

    private static final int CONCURRENCY = 16;
    private static final Pattern NUMBER = Pattern.compile("\"(committed|failed|seconds)\":([0-9.]+)");

    private final String httpBase;
    private final boolean orderRow;

    /** @param httpBase Payara's HTTP address, e.g. {@code http://127.0.0.1:8080} */
    TransactionalPublishScenario(String httpBase, boolean orderRow) {
        this.httpBase = httpBase;
        this.orderRow = orderRow;
    }

    @Override
    public String name() {
        return "transactional QoS 2 publish from an EJB" + (orderRow ? " + order row (2PC with XA H2)" : "");
    }

    @Override
    public String key() {
        return "txpublish";
    }

    @Override
    public List<Result> run(Target target, Settings s) throws Exception {
        String run = RunIds.next();
        String topic = "bench/" + run + "/tx";
        // The two-phase commit runs at tens of transactions per second here (see docs/benchmarks.md): fewer of them.
        int count = orderRow ? (s.quick() ? 500 : 3_000) : (s.quick() ? 3_000 : 20_000);
        Deliveries deliveries = new Deliveries();
        DeliveryTracker tracker = deliveries.newTracker(1, count);
        try (Clients clients = new Clients(target, s)) {
            BenchClient sub =
                    clients.connect(run + "-sub", (t, payload, retain) -> tracker.onMessage(payload), true, 0);
            Clients.await(sub.subscribe(topic, 2), "SUBSCRIBE " + topic);
            // HTTP/1.1: the default h2c upgrade attempt ended long requests with "EOF reached while reading".
            HttpClient http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
            // Not measured: JIT-compiles the bean, the connection factory and the transaction path first.
            post(http, topic + "/warm-up", count / 5, s);
            CpuMeter cpu = CpuMeter.start(target, s);
            long start = System.nanoTime();
            HttpResponse<String> response = post(http, topic, count, s);
            long committed = (long) number(response.body(), "committed");
            long failed = (long) number(response.body(), "failed");
            double serverSeconds = number(response.body(), "seconds");
            deliveries.awaitAll(committed, s.quietMillis(), System.nanoTime() + s.runTimeoutMillis() * 1_000_000L);
            long end = deliveries.lastArrivalNanos() > 0 ? deliveries.lastArrivalNanos() : System.nanoTime();
            long unique = deliveries.unique();
            String note = String.format(
                    Locale.ROOT,
                    "%,d committed in %.2f s on the server (%,.0f tx/s), %d failed, " + "%d managed tasks",
                    committed,
                    serverSeconds,
                    committed / serverSeconds,
                    failed,
                    CONCURRENCY);
            if (failed > 0) {
                note += "; " + Notes.shorten(response.body());
            }
            return List.of(new Result(
                    name(),
                    target.name(),
                    Result.Kind.MESSAGES,
                    committed,
                    Math.min(unique, committed),
                    (end - start) / 1e9,
                    Double.NaN,
                    Double.NaN,
                    cpu.microsPerMessage(unique),
                    deliveries.duplicates(),
                    0,
                    Double.NaN,
                    note));
        }
    }

    private HttpResponse<String> post(HttpClient http, String topic, int count, Settings s) throws Exception {
        URI uri = URI.create(httpBase + "/mdb-samples/api/bench/transactions?topic="
                + java.net.URLEncoder.encode(topic, java.nio.charset.StandardCharsets.UTF_8)
                + "&count=" + count + "&concurrency=" + CONCURRENCY + "&qos=2&order=" + orderRow);
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofMillis(Math.max(s.runTimeoutMillis(), 60_000) * 3))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("bench endpoint answered " + response.statusCode()
                    + (response.statusCode() == 404 ? " (is MQTTRA_SAMPLES_BENCH=true set for Payara?)" : "")
                    + ": " + response.body());
        }
        return response;
    }

    private static double number(String json, String field) {
        Matcher m = NUMBER.matcher(json);
        while (m.find()) {
            if (m.group(1).equals(field)) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new IllegalStateException("no " + field + " in the bench endpoint's answer: " + json);
    }
}
