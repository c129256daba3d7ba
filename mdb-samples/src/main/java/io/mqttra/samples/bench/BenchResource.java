package io.mqttra.samples.bench;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorDefinition;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Load for the transactional-publish benchmark (benchmarks/run.sh, scenario {@code txpublish}); not part of the
 * samples. {@code POST /api/bench/transactions?topic=T&count=N&concurrency=C[&qos=2][&order=true]} runs N JTA
 * transactions, each one {@link TransactionalPublisher#publish}, from C managed tasks at once, and answers when all
 * have ended: {@code {"committed":N,"failed":0,"seconds":1.23,"firstError":null}}. Driving one HTTP request per
 * transaction would measure HTTP; this measures the transactions.
 *
 * <p>Off unless MicroProfile Config {@code mqttra.samples.bench=true} (environment variable
 * {@code MQTTRA_SAMPLES_BENCH=true}): otherwise 404, so a server with the samples does not offer a way to flood its
 * broker. Payload of message i: the benchmark's layout (publisher 0 as int, i as long, then a long 0), so the load
 * generator counts losses and duplicates as for its own publishers.
 */
@Path("bench")
@Produces(MediaType.APPLICATION_JSON)
@ManagedExecutorDefinition(name = "java:app/concurrent/bench", maxAsync = BenchResource.MAX_CONCURRENCY)
public class BenchResource {

    static final int MAX_CONCURRENCY = 32;
    static final String ENABLED = "mqttra.samples.bench";

    @Resource(lookup = "java:app/concurrent/bench")
    ManagedExecutorService executor;

    @Inject
    TransactionalPublisher publisher;

    @POST
    @Path("transactions")
    public Response transactions(
            @QueryParam("topic") String topic,
            @QueryParam("count") @DefaultValue("1000") int count,
            @QueryParam("concurrency") @DefaultValue("8") int concurrency,
            @QueryParam("qos") @DefaultValue("2") int qos,
            @QueryParam("order") @DefaultValue("false") boolean withOrderRow)
            throws InterruptedException {
        if (!ConfigProvider.getConfig().getOptionalValue(ENABLED, Boolean.class).orElse(false)) {
            return Response.status(Response.Status.NOT_FOUND).build();
        }
        if (topic == null
                || topic.isBlank()
                || count < 1
                || qos < 0
                || qos > 2
                || concurrency < 1
                || concurrency > MAX_CONCURRENCY) {
            return Response.status(Response.Status.BAD_REQUEST)
                    .entity("{\"error\":\"topic, count ≥ 1, qos 0-2 and " + "concurrency 1-" + MAX_CONCURRENCY
                            + " are required\"}")
                    .build();
        }
        AtomicLong next = new AtomicLong();
        AtomicLong committed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        long start = System.nanoTime();
        List<Future<?>> tasks = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            tasks.add(executor.submit(() -> {
                for (long i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    try {
                        publisher.publish(topic, payload(i), qos, withOrderRow);
                        committed.incrementAndGet();
                    } catch (RuntimeException e) {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, String.valueOf(e));
                    }
                }
            }));
        }
        for (Future<?> task : tasks) {
            try {
                task.get();
            } catch (ExecutionException e) {
                firstError.compareAndSet(null, String.valueOf(e.getCause()));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        String error = firstError.get();
        return Response.ok(String.format(
                        Locale.ROOT,
                        "{\"committed\":%d,\"failed\":%d,\"seconds\":%.3f,\"firstError\":%s}",
                        committed.get(),
                        failed.get(),
                        seconds,
                        error == null
                                ? "null"
                                : "\"" + error.replace("\\", "\\\\").replace("\"", "'") + "\""))
                .build();
    }

    private static byte[] payload(long seq) {
        return ByteBuffer.allocate(Integer.BYTES + 2 * Long.BYTES)
                .putInt(0)
                .putLong(seq)
                .putLong(0)
                .array();
    }
}
