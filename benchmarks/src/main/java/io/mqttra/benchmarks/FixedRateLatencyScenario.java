package io.mqttra.benchmarks;

import java.util.List;

/**
 * One publisher at a fixed rate into one subscriber: latency at a load both brokers can carry, measured from the
 * intended send time to arrival (publisher and subscriber share this JVM's clock).
 */
final class FixedRateLatencyScenario implements Scenario {

    private final int qos;

    FixedRateLatencyScenario(int qos) {
        this.qos = qos;
    }

    @Override
    public String name() {
        return "latency at fixed rate QoS " + qos + ", 64 B";
    }

    @Override
    public String key() {
        return "latency";
    }

    @Override
    public List<Result> run(Target target, Settings s) throws Exception {
        String run = RunIds.next();
        String topic = "bench/" + run + "/latency";
        long messages = (long) s.latencyRate() * s.latencySeconds();
        Deliveries deliveries = new Deliveries();
        DeliveryTracker tracker = deliveries.newTracker(1, (int) messages);
        try (Clients clients = new Clients(target, s)) {
            BenchClient sub = clients.connect(run + "-sub", (t, payload, r) -> tracker.onMessage(payload), true, 0);
            Clients.await(sub.subscribe(topic, qos), "SUBSCRIBE");
            BenchClient pubClient = clients.connect(run + "-pub", MessageHandler.IGNORE, true, 0);
            // A generous window: at a fixed rate the window only matters when the broker stalls.
            Publisher publisher = new Publisher(pubClient, 0, qos, 64, false, 1_000);
            long deadline = s.runDeadline();
            CpuMeter cpu = CpuMeter.start(target, s);
            long start = System.nanoTime();
            Publisher.Outcome sent = publisher.run(seq -> topic, messages, s.latencyRate(), deadline);
            deliveries.awaitAll(sent.sent(), s.quietMillis(), deadline);
            long end = deliveries.lastArrivalNanos() > 0 ? deliveries.lastArrivalNanos() : System.nanoTime();
            double cpuPerMessage = cpu.microsPerMessage(deliveries.unique());
            String note = s.latencyRate() + " msg/s for " + s.latencySeconds() + " s" + Notes.outcome(messages, sent);
            return List.of(new Result(
                    name(),
                    target.name(),
                    Result.Kind.MESSAGES,
                    sent.sent(),
                    deliveries.unique(),
                    (end - start) / 1e9,
                    tracker.latency().percentileMillis(50),
                    tracker.latency().percentileMillis(99),
                    cpuPerMessage,
                    deliveries.duplicates(),
                    deliveries.reordered(),
                    Double.NaN,
                    note));
        }
    }
}
