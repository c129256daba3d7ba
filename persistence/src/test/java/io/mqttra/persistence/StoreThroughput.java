package io.mqttra.persistence;

import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.store.MessageStore.Reference;
import io.mqttra.broker.store.StoredSession;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Durable throughput of the store as the broker drives it (a plain main, not a test): {@code clients}
 * publishers, each with up to {@code window} unacknowledged QoS 1 messages (its Receive Maximum), publish into
 * one persistent session each; a message is "acknowledged" when its enqueue is durable, then it is sent
 * (markInFlight) and its PUBACK removes it. Completions hop to a small pool, as the engine hops to its event loops.
 *
 * <p>Run: {@code java -cp <test classpath> io.mqttra.persistence.StoreThroughput [h2|postgresql|both]
 * [messages] [clients] [window]}
 */
public final class StoreThroughput {

    public static void main(String[] args) throws Exception {
        String which = args.length > 0 ? args[0] : "both";
        int messages = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int window = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        for (TestDatabases db : TestDatabases.values()) {
            if (which.equals("both") || which.equalsIgnoreCase(db.name())) {
                run(db, messages / 5, clients, window, true); // warm-up
                run(db, messages, clients, window, false);
            }
        }
        System.exit(0);
    }

    private static void run(TestDatabases db, int messages, int clients, int window, boolean warmUp)
            throws Exception {
        StoreSettings settings = db.fresh("throughput");
        JpaStores store = JpaStores.open(settings, TestDatabases.THREADS);
        ExecutorService loops = Executors.newFixedThreadPool(2);
        try {
            for (int c = 0; c < clients; c++) {
                store.sessions().saveSession(new StoredSession("sub-" + c, 5, 3600, null, 0, null, null));
            }
            store.sessions().loadSessions();
            long batches0 = store.committedBatches();
            long writes0 = store.committedWrites();
            AtomicLong ids = new AtomicLong();
            AtomicLong acked = new AtomicLong();
            CountDownLatch done = new CountDownLatch(messages);
            AtomicLong remaining = new AtomicLong(messages);
            byte[] payload = new byte[100];
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long start = System.nanoTime();
            for (int c = 0; c < clients; c++) {
                Publisher p = new Publisher("sub-" + c, store, loops, ids, remaining, acked, done, payload);
                for (int w = 0; w < window; w++) {
                    p.publishNext();
                }
            }
            java.nio.file.Path h2File = db == TestDatabases.H2 ? java.nio.file.Path.of(settings.jdbcUrl()
                    .substring("jdbc:h2:file:".length(), settings.jdbcUrl().indexOf(';')) + ".mv.db") : null;
            long largestFile = 0;
            while (!done.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
                if (h2File != null) {
                    largestFile = Math.max(largestFile, java.nio.file.Files.size(h2File));
                    if (System.getProperty("trace.size") != null) {
                        System.out.printf("  %d s: %d KiB, %d done%n", (System.nanoTime() - start) / 1_000_000_000,
                                java.nio.file.Files.size(h2File) / 1024, messages - done.getCount());
                    }
                }
            }
            if (h2File != null && !warmUp) {
                System.out.printf("H2 file: largest %d KiB while running%n", largestFile / 1024);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpuMicrosPerMessage = (os.getProcessCpuTime() - cpu0) / 1e3 / messages;
            long batches = store.committedBatches() - batches0;
            long writes = store.committedWrites() - writes0;
            if (!warmUp) {
                System.out.printf("%s: %d msgs in %.2f s = %.0f msg/s durable QoS 1 into %d persistent sessions "
                                + "(window %d); %d transactions, %.1f writes per transaction (largest %d), "
                                + "%d rows left; %.1f us CPU per message (whole process, DB included)%n",
                        db, messages, seconds, messages / seconds, clients, window,
                        batches, (double) writes / batches, store.largestBatch(),
                        store.messages().queueEntryCount() + store.messages().storedMessageCount(),
                        cpuMicrosPerMessage);
            }
        } finally {
            loops.shutdown();
            store.close();
        }
        if (!warmUp && db == TestDatabases.H2) {
            String file = settings.jdbcUrl().substring("jdbc:h2:file:".length(), settings.jdbcUrl().indexOf(';'));
            System.out.printf("H2 file after close: %d KiB%n", java.nio.file.Files.size(java.nio.file.Path.of(file
                    + ".mv.db")) / 1024);
        }
    }

    /** One publishing client and the one subscriber session its messages go to. */
    private record Publisher(String subscriber, JpaStores store, ExecutorService loop, AtomicLong ids,
                             AtomicLong remaining, AtomicLong acked, CountDownLatch done, byte[] payload) {

        void publishNext() {
            if (remaining.getAndDecrement() <= 0) {
                return;
            }
            long id = ids.incrementAndGet();
            ApplicationMessage m = new ApplicationMessage("bench/" + subscriber, payload, 1, false, null);
            store.messages().enqueue(id, m, List.of(new Reference(subscriber, 1, false, null)))
                    .thenRunAsync(() -> {
                        acked.incrementAndGet(); // PUBACK to the publisher; the message goes to the subscriber
                        store.messages().markInFlight(subscriber, id, (int) (id % 65535) + 1);
                        store.messages().remove(subscriber, id) // the subscriber's PUBACK
                                .thenRunAsync(() -> {
                                    done.countDown();
                                    publishNext();
                                }, loop);
                    }, loop);
        }
    }

    private StoreThroughput() {
    }
}
