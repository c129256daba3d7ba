package io.mqttra.benchmarks;

import java.util.List;

/** One publisher, many subscribers on the same topic: every message is delivered to each of them. */
final class FanOutScenario implements Scenario {

    private final int qos;

    FanOutScenario(int qos) {
        this.qos = qos;
    }

    @Override
    public String name() {
        return "fan-out 1→100 QoS " + qos + ", 64 B";
    }

    @Override
    public String key() {
        return "fanout";
    }

    @Override
    public List<Result> run(Target target, Settings s) throws Exception {
        String run = RunIds.next();
        String topic = "bench/" + run + "/fanout";
        int messages = s.fanOutMessages();
        Deliveries deliveries = new Deliveries();
        try (Clients clients = new Clients(target, s)) {
            for (int i = 0; i < s.fanOutSubscribers(); i++) {
                DeliveryTracker tracker = deliveries.newTracker(1, messages);
                BenchClient sub =
                        clients.connect(run + "-sub" + i, (t, payload, r) -> tracker.onMessage(payload), true, 0);
                Clients.await(sub.subscribe(topic, qos), "SUBSCRIBE");
            }
            BenchClient pubClient = clients.connect(run + "-pub", MessageHandler.IGNORE, true, 0);
            Publisher publisher = new Publisher(pubClient, 0, qos, 64, false, s.inFlightPerPublisher());
            long deadline = s.runDeadline();
            CpuMeter cpu = CpuMeter.start(target, s);
            long start = System.nanoTime();
            Publisher.Outcome sent = publisher.run(seq -> topic, messages, 0, deadline);
            long expected = sent.sent() * s.fanOutSubscribers();
            deliveries.awaitAll(expected, s.quietMillis(), deadline);
            long end = deliveries.lastArrivalNanos() > 0 ? deliveries.lastArrivalNanos() : System.nanoTime();
            double cpuPerMessage = cpu.microsPerMessage(deliveries.unique());
            LatencyRecorder latency = deliveries.mergedLatency((int) Math.min(expected, 2_000_000));
            String note = messages + " messages × " + s.fanOutSubscribers() + " subscribers, rate counts deliveries"
                    + Notes.outcome(messages, sent);
            return List.of(new Result(
                    name(),
                    target.name(),
                    Result.Kind.MESSAGES,
                    expected,
                    deliveries.unique(),
                    (end - start) / 1e9,
                    latency.percentileMillis(50),
                    latency.percentileMillis(99),
                    cpuPerMessage,
                    deliveries.duplicates(),
                    deliveries.reordered(),
                    Double.NaN,
                    note));
        }
    }
}
