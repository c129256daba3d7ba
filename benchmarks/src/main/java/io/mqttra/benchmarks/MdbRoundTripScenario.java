package io.mqttra.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MDB delivery inside Payara, through the light-switch sample of mdb-samples: commands {"set":"ON"} / {"set":"OFF"}
 * go to {@code light-switch/set}; the message-driven bean parses each one and publishes the new state on
 * {@code light-switch/status} through the connection factory. Each status message that comes back is one MDB
 * delivery plus one outbound publish. The sample takes one command at a time (maxConcurrency 1), so this is the
 * serial round trip, not the adapter's parallel capacity. Commands alternate, so a lost or repeated status shows
 * as a break in the alternation; the payloads carry no sequence numbers (they are the sample's format).
 */
final class MdbRoundTripScenario implements Scenario {

    static final String SET_TOPIC = "light-switch/set";
    static final String STATUS_TOPIC = "light-switch/status";

    @Override
    public String name() {
        return "MDB round trip (light-switch sample), QoS 1";
    }

    @Override
    public String key() {
        return "mdb";
    }

    @Override
    public List<Result> run(Target target, Settings s) throws Exception {
        String run = RunIds.next();
        int commands = s.quick() ? 300 : 2_000;
        AtomicLong received = new AtomicLong();
        AtomicLong lastArrival = new AtomicLong();
        Alternation alternation = new Alternation();
        try (Clients clients = new Clients(target, s)) {
            BenchClient sub = clients.connect(
                    run + "-status",
                    (topic, payload, retain) -> {
                        // The retained status sent on SUBSCRIBE is the state before this run [MQTT-3.3.1-6]; live
                        // messages are forwarded without RETAIN [MQTT-3.3.1-9].
                        if (!retain) {
                            alternation.next(payload);
                            received.incrementAndGet();
                            lastArrival.set(System.nanoTime());
                        }
                    },
                    true,
                    0);
            Clients.await(sub.subscribe(STATUS_TOPIC, 1), "SUBSCRIBE " + STATUS_TOPIC);
            BenchClient pub = clients.connect(run + "-switch", MessageHandler.IGNORE, true, 0);
            long deadline = s.runDeadline();
            CpuMeter cpu = CpuMeter.start(target, s);
            long start = System.nanoTime();
            java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(s.inFlightPerPublisher());
            AtomicLong failed = new AtomicLong();
            long sent = 0;
            for (; sent < commands; sent++) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0 || !window.tryAcquire(remaining, java.util.concurrent.TimeUnit.NANOSECONDS)) {
                    break;
                }
                byte[] command =
                        (sent % 2 == 0 ? "{\"set\":\"ON\"}" : "{\"set\":\"OFF\"}").getBytes(StandardCharsets.UTF_8);
                pub.publish(SET_TOPIC, command, 1, false).whenComplete((ok, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                    }
                    window.release();
                });
            }
            long expected = sent;
            long lastCount = -1;
            long lastChange = System.nanoTime();
            while (received.get() < expected
                    && System.nanoTime() < deadline
                    && System.nanoTime() - lastChange < s.quietMillis() * 1_000_000L) {
                if (received.get() != lastCount) {
                    lastCount = received.get();
                    lastChange = System.nanoTime();
                }
                Deliveries.sleep(10);
            }
            long end = lastArrival.get() > 0 ? lastArrival.get() : System.nanoTime();
            long got = received.get();
            String note = "rate counts status messages; " + alternation.breaks() + " breaks in ON/OFF alternation"
                    + (failed.get() > 0 ? "; " + failed.get() + " commands failed" : "");
            return List.of(new Result(
                    name(),
                    target.name(),
                    Result.Kind.MESSAGES,
                    expected,
                    Math.min(got, expected),
                    (end - start) / 1e9,
                    Double.NaN,
                    Double.NaN,
                    cpu.microsPerMessage(got),
                    Math.max(0, got - expected),
                    0,
                    Double.NaN,
                    note));
        }
    }

    /** Counts consecutive equal states: each one is a status lost or repeated. */
    private static final class Alternation {
        private Boolean last;
        private long breaks;

        synchronized void next(ByteBuffer payload) {
            boolean on = StandardCharsets.UTF_8
                    .decode(payload.duplicate())
                    .toString()
                    .contains("\"ON\"");
            if (last != null && last == on) {
                breaks++;
            }
            last = on;
        }

        synchronized long breaks() {
            return breaks;
        }
    }
}
