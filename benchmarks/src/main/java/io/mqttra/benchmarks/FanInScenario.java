package io.mqttra.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * N publishers, each on its own topic, into one subscriber on a wildcard filter. With QoS 2 and 30 messages in
 * flight per publisher this is the exactly-once check: every message once, none lost, none twice
 * [MQTT-4.3.3-2] (the receiver delivers a QoS 2 message once), [MQTT-4.6.0-6] (order per topic).
 */
final class FanInScenario implements Scenario {

    private final int qos;
    private final int size;

    FanInScenario(int qos, int size) {
        this.qos = qos;
        this.size = size;
    }

    @Override
    public String name() {
        return "fan-in N→1 `#` QoS " + qos + ", " + (size >= 1024 ? size / 1024 + " KiB" : size + " B");
    }

    @Override
    public String key() {
        return "fanin";
    }

    @Override
    public List<Result> run(Target target, Settings s) throws Exception {
        String run = RunIds.next();
        String prefix = "bench/" + run + "/fanin/";
        int publishers = s.fanInPublishers();
        long expected = (long) publishers * s.fanInMessagesPerPublisher();
        Deliveries deliveries = new Deliveries();
        DeliveryTracker tracker = deliveries.newTracker(publishers, (int) Math.min(expected, 2_000_000));
        try (Clients clients = new Clients(target, s)) {
            BenchClient subscriber =
                    clients.connect(run + "-sub", (topic, payload, retain) -> tracker.onMessage(payload), true, 0);
            Clients.await(subscriber.subscribe(prefix + "#", qos), "SUBSCRIBE");
            List<Publisher> pubs = new ArrayList<>();
            List<Publisher.Topics> topics = new ArrayList<>();
            int receiveMaximum = Integer.MAX_VALUE;
            for (int i = 0; i < publishers; i++) {
                BenchClient c = clients.connect(run + "-pub" + i, MessageHandler.IGNORE, true, 0);
                receiveMaximum = Math.min(receiveMaximum, c.serverReceiveMaximum());
                pubs.add(new Publisher(c, i, qos, size, false, s.inFlightPerPublisher()));
                String topic = prefix + i;
                topics.add(seq -> topic);
            }
            long deadline = s.runDeadline();
            CpuMeter cpu = CpuMeter.start(target, s);
            long start = System.nanoTime();
            Publisher.Outcome sent = Publisher.runAll(pubs, topics, s.fanInMessagesPerPublisher(), deadline);
            deliveries.awaitAll(sent.sent(), s.quietMillis(), deadline);
            long end = deliveries.lastArrivalNanos() > 0 ? deliveries.lastArrivalNanos() : System.nanoTime();
            // Per message the broker handled: every accepted publish costs work even when a full queue drops it.
            double cpuPerMessage = cpu.microsPerMessage(Math.max(sent.sent(), deliveries.unique()));
            LatencyRecorder latency = deliveries.mergedLatency((int) Math.min(expected, 2_000_000));
            String note = publishers + " publishers, " + s.inFlightPerPublisher() + " in flight each"
                    + (qos > 0 && receiveMaximum < s.inFlightPerPublisher()
                            ? " (broker Receive Maximum " + receiveMaximum + ")"
                            : "")
                    + Notes.outcome(expected, sent);
            return List.of(new Result(
                    name(),
                    target.name(),
                    Result.Kind.MESSAGES,
                    sent.sent(),
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
