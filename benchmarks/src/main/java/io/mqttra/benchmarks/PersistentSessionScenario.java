package io.mqttra.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * QoS 1 messages into persistent sessions whose clients are offline, then the clients come back and drain them.
 * The broker must keep the messages for the offline sessions [MQTT-3.1.2-5] and send them after the session is
 * resumed [MQTT-4.4.0-1] with the session present flag set [MQTT-3.2.2-2]. Two rows: the publish phase (rate of
 * messages stored, counted per session copy) and the drain phase (deliveries).
 */
final class PersistentSessionScenario implements Scenario {

    private static final long SESSION_EXPIRY_SECONDS = 600;

    @Override
    public String name() {
        return "persistent sessions";
    }

    @Override
    public String key() {
        return "durable";
    }

    @Override
    public List<Result> run(Target target, Settings s) throws Exception {
        String run = RunIds.next();
        String topic = "bench/" + run + "/durable";
        int sessions = s.durableSessions();
        int messages = s.durableMessages();
        Deliveries deliveries = new Deliveries();
        List<DeliveryTracker> trackers = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            trackers.add(deliveries.newTracker(1, messages));
        }
        List<Result> results = new ArrayList<>();
        try (Clients clients = new Clients(target, s)) {
            for (int i = 0; i < sessions; i++) {
                BenchClient c = clients.connect(run + "-s" + i, MessageHandler.IGNORE, true, SESSION_EXPIRY_SECONDS);
                Clients.await(c.subscribe(topic, 1), "SUBSCRIBE");
                clients.disconnect(c);
            }
            BenchClient pubClient = clients.connect(run + "-pub", MessageHandler.IGNORE, true, 0);
            Publisher publisher = new Publisher(pubClient, 0, 1, 64, false, s.inFlightPerPublisher());
            CpuMeter publishCpu = CpuMeter.start(target, s);
            long publishStart = System.nanoTime();
            Publisher.Outcome sent = publisher.run(seq -> topic, messages, 0, s.runDeadline());
            double publishSeconds = (System.nanoTime() - publishStart) / 1e9;
            long queued = sent.sent() * sessions;
            results.add(new Result("persistent: QoS 1 into " + sessions + " offline sessions", target.name(),
                    Result.Kind.MESSAGES, queued, queued - sent.failed() * sessions, publishSeconds,
                    Double.NaN, Double.NaN, publishCpu.microsPerMessage(queued), 0, 0, Double.NaN,
                    sent.sent() + " PUBACKed publishes, rate counts session copies" + Notes.outcome(messages, sent)));

            long deadline = s.runDeadline();
            CpuMeter drainCpu = CpuMeter.start(target, s);
            long drainStart = System.nanoTime();
            int resumed = 0;
            for (int i = 0; i < sessions; i++) {
                DeliveryTracker tracker = trackers.get(i);
                BenchClient c = clients.connect(run + "-s" + i, (t, payload, r) -> tracker.onMessage(payload), false,
                        SESSION_EXPIRY_SECONDS);
                resumed += c.sessionPresent() ? 1 : 0;
            }
            deliveries.awaitAll(queued, s.quietMillis(), deadline);
            long end = deliveries.lastArrivalNanos() > 0 ? deliveries.lastArrivalNanos() : System.nanoTime();
            results.add(new Result("persistent: drain " + sessions + " resumed sessions", target.name(),
                    Result.Kind.MESSAGES, queued, deliveries.unique(), (end - drainStart) / 1e9,
                    Double.NaN, Double.NaN, drainCpu.microsPerMessage(deliveries.unique()), deliveries.duplicates(),
                    deliveries.reordered(), Double.NaN,
                    resumed + "/" + sessions + " CONNACKs with session present"));
        } finally {
            endSessions(target, s, run, sessions);
        }
        return results;
    }

    /** Removes the run's sessions from the broker: a clean start with expiry 0 ends them. */
    private static void endSessions(Target target, Settings s, String run, int sessions) {
        try (Clients clients = new Clients(target, s)) {
            for (int i = 0; i < sessions; i++) {
                clients.connect(run + "-s" + i, MessageHandler.IGNORE, true, 0);
            }
        } catch (Exception e) {
            System.err.println("  (could not end the sessions of " + run + ": " + e + ")");
        }
    }
}
