package io.mqttra.benchmarks;

import java.util.List;

/**
 * Many retained messages, one per topic, then a new subscriber on {@code #}: how fast the broker hands over its
 * retained store [MQTT-3.3.1-6] (on SUBSCRIBE the retained messages matching the filter are sent) with the RETAIN
 * flag set [MQTT-3.3.1-8]. Only messages of this run that carry RETAIN count; anything else the broker holds is
 * counted as foreign. The run's retained messages are cleared afterwards [MQTT-3.3.1-10] (empty payload).
 */
final class RetainedScenario implements Scenario {

    @Override
    public String name() {
        return "retained → new `#` subscriber, QoS 1";
    }

    @Override
    public String key() {
        return "retained";
    }

    @Override
    public List<Result> run(Target target, Settings s) throws Exception {
        String run = RunIds.next();
        String prefix = "bench/" + run + "/retained/";
        int count = s.retainedMessages();
        Deliveries deliveries = new Deliveries();
        DeliveryTracker tracker = deliveries.newTracker(1, count);
        try (Clients clients = new Clients(target, s)) {
            BenchClient pubClient = clients.connect(run + "-pub", MessageHandler.IGNORE, true, 0);
            Publisher publisher = new Publisher(pubClient, 0, 1, 64, true, s.inFlightPerPublisher());
            long publishStart = System.nanoTime();
            Publisher.Outcome stored = publisher.run(seq -> prefix + seq, count, 0, s.runDeadline());
            double publishSeconds = (System.nanoTime() - publishStart) / 1e9;
            try {
                BenchClient sub = clients.connect(
                        run + "-sub",
                        (topic, payload, retain) -> {
                            if (retain && topic.toString().startsWith(prefix)) {
                                tracker.onMessage(payload);
                            } else {
                                tracker.onForeign();
                            }
                        },
                        true,
                        0);
                long deadline = s.runDeadline();
                CpuMeter cpu = CpuMeter.start(target, s);
                long start = System.nanoTime();
                Clients.await(sub.subscribe("#", 1), "SUBSCRIBE #");
                deliveries.awaitAll(stored.sent(), s.quietMillis(), deadline);
                long end = deliveries.lastArrivalNanos() > 0 ? deliveries.lastArrivalNanos() : System.nanoTime();
                double cpuPerMessage = cpu.microsPerMessage(Math.max(stored.sent(), deliveries.unique()));
                String note = String.format(
                                java.util.Locale.ROOT,
                                "%,d retained stored at %,.0f msg/s",
                                stored.sent(),
                                stored.sent() / publishSeconds)
                        + (deliveries.foreign() > 0 ? "; " + deliveries.foreign() + " other messages" : "")
                        + Notes.outcome(count, stored);
                // No order is promised across topics (one message per topic here), so none is counted.
                return List.of(new Result(
                        name(),
                        target.name(),
                        Result.Kind.MESSAGES,
                        stored.sent(),
                        deliveries.unique(),
                        (end - start) / 1e9,
                        Double.NaN,
                        Double.NaN,
                        cpuPerMessage,
                        deliveries.duplicates(),
                        0,
                        Double.NaN,
                        note));
            } finally {
                clear(pubClient, prefix, stored.sent(), s.runDeadline());
            }
        }
    }

    /** Deletes this run's retained messages, so later runs and brokers' memory figures do not carry them. */
    private static void clear(BenchClient client, String prefix, long count, long deadlineNanos)
            throws InterruptedException {
        java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(100);
        for (long seq = 0; seq < count; seq++) {
            long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0 || !window.tryAcquire(remaining, java.util.concurrent.TimeUnit.NANOSECONDS)) {
                System.err.println("  (retained messages of " + prefix + " not all cleared before the time limit)");
                return;
            }
            client.publish(prefix + seq, new byte[0], 1, true).whenComplete((ok, e) -> window.release());
        }
        window.tryAcquire(
                100, Math.max(0, deadlineNanos - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
