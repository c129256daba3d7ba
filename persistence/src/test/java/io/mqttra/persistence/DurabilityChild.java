package io.mqttra.persistence;

import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.store.MessageStore.Reference;
import io.mqttra.broker.store.StoredSession;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Child JVM of {@link StoreDurabilityTest}: several "publishers" write messages through the store as the broker
 * would for two offline persistent sessions (QoS 1 and QoS 2), and print a line for every write whose future
 * completed, which is the moment the broker would send PUBACK / PUBREC. The parent kills it with SIGKILL.
 *
 * <p>Lines: {@code Q id} message queued for both sessions; {@code R id} retained message stored for topic
 * {@code retained/id}; {@code D id} delivery to the QoS 1 session completed (removed) and the QoS 2 one released.
 */
public final class DurabilityChild {

    public static void main(String[] args) throws Exception {
        StoreSettings settings = StoreSettings.jdbc(args[0], args[1], args[2]);
        int publishers = 4;
        JpaStores store = JpaStores.open(settings, TestDatabases.THREADS);
        store.sessions()
                .saveSession(new StoredSession("sub-qos1", 4, 0xFFFF_FFFFL, null, 0, null, null))
                .join();
        store.sessions()
                .saveSession(new StoredSession("sub-qos2", 5, 0xFFFF_FFFFL, null, 0, null, null))
                .join();
        System.out.println("READY");
        System.out.flush();
        AtomicLong ids = new AtomicLong(store.messages().maxMessageId());
        for (int p = 0; p < publishers; p++) {
            Thread t = new Thread(() -> publish(store, ids), "publisher-" + p);
            t.start();
        }
        Thread.sleep(Long.MAX_VALUE); // until killed
    }

    private static void publish(JpaStores store, AtomicLong ids) {
        Semaphore inFlight = new Semaphore(100); // like a client's Receive Maximum
        List<Reference> refs =
                List.of(new Reference("sub-qos1", 1, false, null), new Reference("sub-qos2", 2, false, List.of(7)));
        while (true) {
            inFlight.acquireUninterruptibly();
            long id = ids.incrementAndGet();
            ApplicationMessage m = new ApplicationMessage(
                    "data/" + id, ("message " + id).getBytes(StandardCharsets.UTF_8), 2, false, null);
            CompletableFuture<Void> queued = store.messages().enqueue(id, m, refs);
            CompletableFuture<Void> retained = id % 10 == 0
                    ? store.retained().put(new ApplicationMessage("retained/" + id, m.payload(), 1, true, null))
                    : null;
            queued.thenRun(() -> {
                print("Q " + id);
                if (id % 3 == 0) {
                    // The subscribers got it: QoS 1 acknowledged, QoS 2 PUBREC received.
                    store.messages().markInFlight("sub-qos1", id, (int) (id % 65535) + 1);
                    store.messages().markInFlight("sub-qos2", id, (int) (id % 65535) + 1);
                    store.messages().markReleased("sub-qos2", id);
                    store.messages().remove("sub-qos1", id).thenRun(() -> print("D " + id));
                }
            });
            if (retained != null) {
                retained.thenRun(() -> print("R " + id));
            }
            queued.whenComplete((v, e) -> inFlight.release());
        }
    }

    private static void print(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }

    private DurabilityChild() {}
}
