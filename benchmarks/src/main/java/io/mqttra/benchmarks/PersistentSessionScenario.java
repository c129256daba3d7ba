package io.mqttra.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * QoS 1 messages into persistent sessions whose clients are offline, then the clients come back and drain them.
 * The broker must keep the messages for the offline sessions [MQTT-3.1.2-5] and send them after the session is
 * resumed [MQTT-4.4.0-1] with the session present flag set [MQTT-3.2.2-2]. Two rows: the publish phase (rate of
 * messages stored, counted per session copy) and the drain phase (deliveries).
 */
final class PersistentSessionScenario implements Scenario {

    private static final long SESSION_EXPIRY_SECONDS = 600;

    /** Figures of the broker's own for one phase (e.g. its store's commits): taken at the start, read at the end. */
    interface PhaseFigures {
        Supplier<String> start();
    }

    private final int publishers;
    private final PhaseFigures figures;

    /** One publisher whose every message goes to all sessions. */
    PersistentSessionScenario() {
        this(1, () -> () -> "");
    }

    /**
     * @param publishers publishers at once, each on a topic of its own; session i follows publisher
     *                   i % publishers, so with as many publishers as sessions each message has one session copy
     * @param figures    for a broker in this JVM, whose store can tell how many commits and writes a phase took
     */
    PersistentSessionScenario(int publishers, PhaseFigures figures) {
        this.publishers = publishers;
        this.figures = figures;
    }

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
        if (sessions % publishers != 0) {
            throw new IllegalArgumentException(
                    sessions + " sessions cannot be shared by " + publishers + " publishers");
        }
        int copies = sessions / publishers;
        Deliveries deliveries = new Deliveries();
        List<DeliveryTracker> trackers = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            trackers.add(deliveries.newTracker(publishers, messages));
        }
        List<Result> results = new ArrayList<>();
        try (Clients clients = new Clients(target, s)) {
            for (int i = 0; i < sessions; i++) {
                BenchClient c = clients.connect(run + "-s" + i, MessageHandler.IGNORE, true, SESSION_EXPIRY_SECONDS);
                Clients.await(c.subscribe(topic(topic, i % publishers), 1), "SUBSCRIBE");
                clients.disconnect(c);
            }
            List<Publisher> publishing = new ArrayList<>();
            List<Publisher.Topics> topics = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                BenchClient pubClient = clients.connect(run + "-pub" + p, MessageHandler.IGNORE, true, 0);
                publishing.add(new Publisher(pubClient, p, 1, 64, false, s.inFlightPerPublisher()));
                String publisherTopic = topic(topic, p);
                topics.add(seq -> publisherTopic);
            }
            CpuMeter publishCpu = CpuMeter.start(target, s);
            Supplier<String> publishFigures = figures.start();
            long publishStart = System.nanoTime();
            Publisher.Outcome sent = publishers == 1
                    ? publishing.get(0).run(topics.get(0), messages, 0, s.runDeadline())
                    : Publisher.runAll(publishing, topics, messages, s.runDeadline());
            double publishSeconds = (System.nanoTime() - publishStart) / 1e9;
            long queued = sent.sent() * copies;
            String who = publishers == 1 ? "" : publishers + " publishers, ";
            String from = publishers == 1 ? "" : " from " + publishers + " publishers";
            results.add(new Result(
                    "persistent: QoS 1 into " + sessions + " offline sessions" + from,
                    target.name(),
                    Result.Kind.MESSAGES,
                    queued,
                    queued - sent.failed() * copies,
                    publishSeconds,
                    Double.NaN,
                    Double.NaN,
                    publishCpu.microsPerMessage(queued),
                    0,
                    0,
                    Double.NaN,
                    who + sent.sent() + " PUBACKed publishes, rate counts session copies"
                            + Notes.outcome((long) messages * publishers, sent) + publishFigures.get()));

            long deadline = s.runDeadline();
            CpuMeter drainCpu = CpuMeter.start(target, s);
            Supplier<String> drainFigures = figures.start();
            long drainStart = System.nanoTime();
            int resumed = 0;
            for (int i = 0; i < sessions; i++) {
                DeliveryTracker tracker = trackers.get(i);
                BenchClient c = clients.connect(
                        run + "-s" + i, (t, payload, r) -> tracker.onMessage(payload), false, SESSION_EXPIRY_SECONDS);
                resumed += c.sessionPresent() ? 1 : 0;
            }
            deliveries.awaitAll(queued, s.quietMillis(), deadline);
            long end = deliveries.lastArrivalNanos() > 0 ? deliveries.lastArrivalNanos() : System.nanoTime();
            results.add(new Result(
                    "persistent: drain " + sessions + " resumed sessions" + from,
                    target.name(),
                    Result.Kind.MESSAGES,
                    queued,
                    deliveries.unique(),
                    (end - drainStart) / 1e9,
                    Double.NaN,
                    Double.NaN,
                    drainCpu.microsPerMessage(deliveries.unique()),
                    deliveries.duplicates(),
                    deliveries.reordered(),
                    Double.NaN,
                    resumed + "/" + sessions + " CONNACKs with session present" + drainFigures.get()));
        } finally {
            endSessions(target, s, run, sessions);
        }
        return results;
    }

    private String topic(String base, int publisher) {
        return publishers == 1 ? base : base + "/" + publisher;
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
