package io.mqttra.benchmarks;

import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.store.MessageStore.Reference;
import io.mqttra.broker.store.QueuedMessage;
import io.mqttra.broker.store.StoredSession;
import io.mqttra.persistence.JpaStores;
import io.mqttra.persistence.StoreSettings;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Durable QoS 1 throughput of the JPA store alone, driven as the engine drives it: {@code clients} publishers,
 * each with at most {@code window} unacknowledged messages (its Receive Maximum), publish into one offline
 * persistent session each; a publish counts as acknowledged (PUBACK) when its enqueue is committed. Completions hop
 * to two "event loop" threads, as the engine's do. Then the store is closed and opened again, and every session's
 * queue is read back: an acknowledged message missing there is lost, one found twice is a duplicate. Last the
 * resumed sessions are drained as the engine drains them (send = markInFlight, the subscriber's PUBACK = remove)
 * and no row may be left.
 */
final class StoreThroughput {

    private static final int PAYLOAD = 64;

    private final StoreDatabase database;
    private final Path dir;
    private final int clients;
    private final int window;

    StoreThroughput(StoreDatabase database, Path dir, int clients, int window) {
        this.database = database;
        this.dir = dir;
        this.clients = clients;
        this.window = window;
    }

    /** Two rows: the enqueue into offline sessions (with the read-back check) and the drain. */
    List<Result> run(int messages, long enqueueDeadline, long drainDeadline) throws Exception {
        StoreSettings settings = database.fresh(dir);
        String broker = "store, " + database.label();
        List<Result> results = new ArrayList<>();
        BitSet acked = new BitSet(messages + 1);
        ExecutorService loops = Executors.newFixedThreadPool(2);
        try {
            try (JpaStores store = JpaStores.open(settings, StoreDatabase.THREADS)) {
                for (int c = 0; c < clients; c++) {
                    store.sessions().saveSession(new StoredSession(session(c), 5, 3600, null, 0, null, null));
                }
                store.sessions().loadSessions();
                CommitCounter commits = CommitCounter.of(store);
                ProcessCpu cpu = ProcessCpu.start();
                long start = System.nanoTime();
                long completed = enqueueAll(store, loops, messages, acked, enqueueDeadline);
                double seconds = (System.nanoTime() - start) / 1e9;
                // Expected: the acknowledged messages; what the time limit cut short is said in the note.
                String cut = completed < messages
                        ? String.format(
                                Locale.ROOT,
                                "; only %,d of %,d acknowledged before the time limit",
                                completed,
                                messages)
                        : "";
                results.add(new Result(
                        "durable QoS 1 into " + clients + " offline sessions (store alone)",
                        broker,
                        Result.Kind.MESSAGES,
                        completed,
                        completed,
                        seconds,
                        Double.NaN,
                        Double.NaN,
                        cpu.microsPerMessage(completed),
                        0,
                        0,
                        Double.NaN,
                        commits.since() + cut));
            }
            // Read back after a close and a fresh open: only what was committed can be there.
            try (JpaStores store = JpaStores.open(settings, StoreDatabase.THREADS)) {
                List<StoredSession> sessions = store.sessions().loadSessions();
                BitSet found = new BitSet(messages + 1);
                long duplicates = 0;
                Map<String, List<QueuedMessage>> queues = new LinkedHashMap<>();
                for (StoredSession s : sessions) {
                    List<QueuedMessage> q = store.messages().loadQueue(s.clientId());
                    queues.put(s.clientId(), q);
                    for (QueuedMessage m : q) {
                        if (found.get((int) m.messageId())) {
                            duplicates++;
                        }
                        found.set((int) m.messageId());
                    }
                }
                BitSet missing = (BitSet) acked.clone();
                missing.andNot(found);
                Result enqueue = results.get(0);
                results.set(
                        0,
                        new Result(
                                enqueue.scenario(),
                                enqueue.broker(),
                                enqueue.kind(),
                                enqueue.expected(),
                                enqueue.delivered() - missing.cardinality(),
                                enqueue.seconds(),
                                Double.NaN,
                                Double.NaN,
                                enqueue.cpuMicrosPerMessage(),
                                duplicates,
                                0,
                                Double.NaN,
                                String.format(Locale.ROOT, "%,d read back after reopening; ", found.cardinality())
                                        + enqueue.note()));
                results.add(drain(store, loops, queues, found.cardinality(), drainDeadline, broker));
            }
        } finally {
            loops.shutdownNow();
            loops.awaitTermination(5, TimeUnit.SECONDS);
        }
        return results;
    }

    private long enqueueAll(JpaStores store, ExecutorService loops, int messages, BitSet acked, long deadlineNanos)
            throws InterruptedException {
        AtomicLong ids = new AtomicLong();
        AtomicLong remaining = new AtomicLong(messages);
        CountDownLatch done = new CountDownLatch(messages);
        byte[] payload = new byte[PAYLOAD];
        for (int c = 0; c < clients; c++) {
            OfflinePublisher p = new OfflinePublisher(session(c), store, loops, ids, remaining, done, acked, payload);
            for (int w = 0; w < window; w++) {
                p.publishNext();
            }
        }
        done.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        synchronized (acked) {
            return acked.cardinality();
        }
    }

    /** Sends every queued message (markInFlight) and takes the subscriber's PUBACK (remove), window by window. */
    private Result drain(
            JpaStores store,
            ExecutorService loops,
            Map<String, List<QueuedMessage>> queues,
            long queued,
            long deadlineNanos,
            String broker)
            throws InterruptedException {
        CommitCounter commits = CommitCounter.of(store);
        ProcessCpu cpu = ProcessCpu.start();
        long start = System.nanoTime();
        CountDownLatch done = new CountDownLatch((int) queued);
        for (Map.Entry<String, List<QueuedMessage>> q : queues.entrySet()) {
            Drainer d = new Drainer(q.getKey(), store, loops, q.getValue(), new AtomicLong(), done);
            for (int w = 0; w < window; w++) {
                d.sendNext();
            }
        }
        done.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        long drained = queued - done.getCount();
        // A remove completes after its commit, so every drained message's queue row is gone by now.
        long rowsLeft = store.messages().queueEntryCount();
        return new Result(
                "drain " + queues.size() + " resumed sessions (store alone)",
                broker,
                Result.Kind.MESSAGES,
                queued,
                drained,
                seconds,
                Double.NaN,
                Double.NaN,
                cpu.microsPerMessage(drained),
                0,
                0,
                Double.NaN,
                commits.since() + "; " + rowsLeft + " queue rows left");
    }

    private static String session(int c) {
        return "sub-" + c;
    }

    /** One publishing client whose messages all go to one offline session. */
    private record OfflinePublisher(
            String subscriber,
            JpaStores store,
            ExecutorService loop,
            AtomicLong ids,
            AtomicLong remaining,
            CountDownLatch done,
            BitSet acked,
            byte[] payload) {

        void publishNext() {
            if (remaining.getAndDecrement() <= 0) {
                return;
            }
            long id = ids.incrementAndGet();
            ApplicationMessage m = new ApplicationMessage("bench/" + subscriber, payload, 1, false, null);
            store.messages()
                    .enqueue(id, m, List.of(new Reference(subscriber, 1, false, null)))
                    .thenRunAsync(
                            () -> {
                                synchronized (acked) {
                                    acked.set((int) id); // the PUBACK: the message is durable
                                }
                                done.countDown();
                                publishNext();
                            },
                            loop);
        }
    }

    /** One resumed session: sends its queue in order with at most the window unacknowledged. */
    private record Drainer(
            String client,
            JpaStores store,
            ExecutorService loop,
            List<QueuedMessage> queue,
            AtomicLong next,
            CountDownLatch done) {

        void sendNext() {
            int i = (int) next.getAndIncrement();
            if (i >= queue.size()) {
                return;
            }
            QueuedMessage m = queue.get(i);
            store.messages().markInFlight(client, m.messageId(), i % 65535 + 1);
            store.messages()
                    .remove(client, m.messageId())
                    .thenRunAsync(
                            () -> {
                                done.countDown();
                                sendNext();
                            },
                            loop);
        }
    }

    /**
     * Commits and writes of the store's group-commit writer since it was made, and the time the JIT compilers
     * spent meanwhile: compiling competes with the writer for the two cores, so a run that still compiles much
     * measures warm-up, not the store.
     */
    record CommitCounter(
            JpaStores store, long batches, long writes, long jitMillis, long writerNanos, long commitNanos) {
        static CommitCounter of(JpaStores store) {
            return new CommitCounter(
                    store,
                    store.committedBatches(),
                    store.committedWrites(),
                    Jit.millis(),
                    StoreDatabase.writerCpuNanos(),
                    store.stores().commits().totalNanos());
        }

        /** The writer thread's CPU per write shows where the single writer's limit lies. */
        String since() {
            long b = store.committedBatches() - batches;
            long w = store.committedWrites() - writes;
            return String.format(
                    Locale.ROOT,
                    "%,d commits, %.1f writes/commit (max %,d), %.1f ms each; writer "
                            + "thread CPU %.1f µs/write; JIT compiling %.1f s",
                    b,
                    b == 0 ? 0.0 : (double) w / b,
                    store.largestBatch(),
                    b == 0 ? 0.0 : (store.stores().commits().totalNanos() - commitNanos) / 1e6 / b,
                    w == 0 ? 0.0 : (StoreDatabase.writerCpuNanos() - writerNanos) / 1e3 / w,
                    (Jit.millis() - jitMillis) / 1e3);
        }
    }

    /** CPU time of this whole JVM (benchmark, engine and embedded database) per message. */
    record ProcessCpu(long startNanos) {
        static ProcessCpu start() {
            return new ProcessCpu(now());
        }

        double microsPerMessage(long messages) {
            return messages <= 0 ? Double.NaN : (now() - startNanos) / 1e3 / messages;
        }

        private static long now() {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
        }
    }
}
