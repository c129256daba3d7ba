package io.mqttra.broker.store;

import io.mqttra.broker.ApplicationMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Queued messages on the heap: one entry per message, one ordered map of references per session. Each
 * session's map is guarded by its own monitor; the engine writes a session's queue from that session's thread.
 */
public final class InMemoryMessageStore implements MessageStore, ExactlyOnceEnqueue {

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final ConcurrentHashMap<Long, ApplicationMessage> messages = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Integer> referenceCounts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Map<Long, QueuedMessage>> queues = new ConcurrentHashMap<>();

    @Override
    public CompletableFuture<Void> enqueue(long messageId, ApplicationMessage message, List<Reference> references) {
        if (references.isEmpty()) {
            return DONE;
        }
        messages.put(messageId, message);
        referenceCounts.merge(messageId, references.size(), Integer::sum);
        for (Reference r : references) {
            Map<Long, QueuedMessage> q = queues.computeIfAbsent(r.clientId(), c -> new LinkedHashMap<>());
            synchronized (q) {
                q.put(messageId, new QueuedMessage(messageId, message, r.qos(), r.retain(),
                        r.subscriptionIdentifiers(), 0, false));
            }
        }
        return DONE;
    }

    private volatile InMemorySessionStore sessions;

    void pairWith(InMemorySessionStore sessions) {
        this.sessions = sessions;
    }

    @Override
    public CompletableFuture<Void> enqueueWithReceipt(long messageId, ApplicationMessage message,
                                                      List<Reference> references, String publisherClientId,
                                                      int packetId) {
        // On the heap nothing survives a crash, so "atomic" only means: both done before the future completes.
        InMemorySessionStore s = sessions;
        if (s != null) {
            s.addIncomingQos2(publisherClientId, packetId);
        }
        return enqueue(messageId, message, references);
    }

    @Override
    public CompletableFuture<Void> enqueuePrepared(long messageId, ApplicationMessage message,
                                                   List<Reference> references, TransactionId xid, int seq) {
        // Prepared records on the heap die with the queues: nothing can be replayed after a crash.
        return enqueue(messageId, message, references);
    }

    @Override
    public CompletableFuture<Void> markInFlight(String clientId, long messageId, int packetId) {
        update(clientId, messageId, m -> new QueuedMessage(m.messageId(), m.message(), m.qos(), m.retain(),
                m.subscriptionIdentifiers(), packetId, m.released(), m.deliveryCount()));
        return DONE;
    }

    @Override
    public CompletableFuture<Void> markReleased(String clientId, long messageId) {
        update(clientId, messageId, m -> new QueuedMessage(m.messageId(), m.message(), m.qos(), m.retain(),
                m.subscriptionIdentifiers(), m.packetId(), true, m.deliveryCount()));
        return DONE;
    }

    @Override
    public CompletableFuture<Void> countDelivery(String clientId, long messageId) {
        update(clientId, messageId, m -> new QueuedMessage(m.messageId(), m.message(), m.qos(), m.retain(),
                m.subscriptionIdentifiers(), m.packetId(), m.released(), m.deliveryCount() + 1));
        return DONE;
    }

    @Override
    public CompletableFuture<Void> remove(String clientId, long messageId) {
        Map<Long, QueuedMessage> q = queues.get(clientId);
        if (q != null) {
            QueuedMessage removed;
            synchronized (q) {
                removed = q.remove(messageId);
            }
            if (removed != null) {
                release(messageId, 1);
            }
        }
        return DONE;
    }

    @Override
    public List<QueuedMessage> loadQueue(String clientId) {
        Map<Long, QueuedMessage> q = queues.get(clientId);
        if (q == null) {
            return List.of();
        }
        List<QueuedMessage> inFlight = new ArrayList<>();
        List<QueuedMessage> waiting = new ArrayList<>();
        synchronized (q) {
            for (QueuedMessage m : q.values()) {
                (m.packetId() != 0 ? inFlight : waiting).add(m);
            }
        }
        inFlight.addAll(waiting);
        return inFlight;
    }

    /** Drops the whole queue of a session (the session was deleted). */
    void deleteQueue(String clientId) {
        Map<Long, QueuedMessage> q = queues.remove(clientId);
        if (q != null) {
            synchronized (q) {
                for (Long id : q.keySet()) {
                    release(id, 1);
                }
            }
        }
    }

    /** Number of distinct stored messages (for tests: a message queued for many sessions counts once). */
    public int storedMessageCount() {
        return messages.size();
    }

    private void release(long messageId, int n) {
        Integer left = referenceCounts.computeIfPresent(messageId, (id, c) -> c - n <= 0 ? null : c - n);
        if (left == null) {
            messages.remove(messageId);
        }
    }

    private void update(String clientId, long messageId, java.util.function.UnaryOperator<QueuedMessage> change) {
        Map<Long, QueuedMessage> q = queues.get(clientId);
        if (q != null) {
            synchronized (q) {
                q.computeIfPresent(messageId, (id, m) -> change.apply(m));
            }
        }
    }
}
