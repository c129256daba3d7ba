package io.mqttra.broker.store;

import io.mqttra.broker.ApplicationMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * Queued messages on the heap: one entry per message, one queue of references per session, ordered by position
 * so that a page load starts where the last one ended. Each session's queue is guarded by its own monitor; the
 * engine writes a session's queue from that session's thread.
 */
public final class InMemoryMessageStore implements MessageStore, ExactlyOnceEnqueue {

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final ConcurrentHashMap<Long, ApplicationMessage> messages = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Integer> referenceCounts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Queue> queues = new ConcurrentHashMap<>();
    private final AtomicLong positions = new AtomicLong();

    /** One session's references: by position (queue order) and by message id. */
    private static final class Queue {
        final TreeMap<Long, QueuedMessage> byPosition = new TreeMap<>();
        final Map<Long, Long> positionOf = new HashMap<>();

        void put(QueuedMessage m) {
            remove(m.messageId());
            byPosition.put(m.position(), m);
            positionOf.put(m.messageId(), m.position());
        }

        QueuedMessage remove(long messageId) {
            Long p = positionOf.remove(messageId);
            return p == null ? null : byPosition.remove(p);
        }

        void update(long messageId, UnaryOperator<QueuedMessage> change) {
            Long p = positionOf.get(messageId);
            if (p != null) {
                byPosition.put(p, change.apply(byPosition.get(p)));
            }
        }
    }

    @Override
    public CompletableFuture<Void> enqueue(long messageId, ApplicationMessage message, List<Reference> references) {
        if (references.isEmpty()) {
            return DONE;
        }
        messages.put(messageId, message);
        long receivedAt = System.currentTimeMillis();
        for (Reference r : references) {
            Queue q = queues.computeIfAbsent(r.clientId(), c -> new Queue());
            synchronized (q) {
                QueuedMessage m = new QueuedMessage(
                        messageId,
                        message,
                        r.qos(),
                        r.retain(),
                        r.subscriptionIdentifiers(),
                        0,
                        false,
                        0,
                        receivedAt,
                        positions.incrementAndGet());
                if (!q.positionOf.containsKey(messageId)) {
                    referenceCounts.merge(messageId, 1, Integer::sum);
                }
                q.put(m);
            }
        }
        return DONE;
    }

    private volatile InMemorySessionStore sessions;

    void pairWith(InMemorySessionStore sessions) {
        this.sessions = sessions;
    }

    @Override
    public CompletableFuture<Void> enqueueWithReceipt(
            long messageId,
            ApplicationMessage message,
            List<Reference> references,
            String publisherClientId,
            int packetId) {
        // On the heap nothing survives a crash, so "atomic" only means: both done before the future completes.
        InMemorySessionStore s = sessions;
        if (s != null) {
            s.addIncomingQos2(publisherClientId, packetId);
        }
        return enqueue(messageId, message, references);
    }

    @Override
    public CompletableFuture<Void> enqueuePrepared(
            long messageId, ApplicationMessage message, List<Reference> references, TransactionId xid, int seq) {
        // Prepared records on the heap die with the queues: nothing can be replayed after a crash.
        return enqueue(messageId, message, references);
    }

    @Override
    public CompletableFuture<Void> markInFlight(String clientId, long messageId, int packetId) {
        update(clientId, messageId, m -> m.with(packetId, m.released(), m.deliveryCount()));
        return DONE;
    }

    @Override
    public CompletableFuture<Void> markReleased(String clientId, long messageId) {
        update(clientId, messageId, m -> m.with(m.packetId(), true, m.deliveryCount()));
        return DONE;
    }

    @Override
    public CompletableFuture<Void> countDelivery(String clientId, long messageId) {
        update(clientId, messageId, m -> m.with(m.packetId(), m.released(), m.deliveryCount() + 1));
        return DONE;
    }

    @Override
    public CompletableFuture<Void> remove(String clientId, long messageId) {
        Queue q = queues.get(clientId);
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
        List<QueuedMessage> inFlight = new ArrayList<>(loadInFlight(clientId));
        Queue q = queues.get(clientId);
        if (q != null) {
            synchronized (q) {
                for (QueuedMessage m : q.byPosition.values()) {
                    if (m.packetId() == 0) {
                        inFlight.add(m);
                    }
                }
            }
        }
        return inFlight;
    }

    @Override
    public List<QueuedMessage> loadInFlight(String clientId) {
        List<QueuedMessage> out = new ArrayList<>();
        Queue q = queues.get(clientId);
        if (q != null) {
            synchronized (q) {
                for (QueuedMessage m : q.byPosition.values()) {
                    if (m.packetId() != 0) {
                        out.add(m);
                    }
                }
            }
        }
        return out;
    }

    @Override
    public long countWaiting(String clientId) {
        Queue q = queues.get(clientId);
        if (q == null) {
            return 0;
        }
        synchronized (q) {
            return q.byPosition.values().stream().filter(m -> m.packetId() == 0).count();
        }
    }

    @Override
    public CompletableFuture<List<QueuedMessage>> loadWaiting(
            String clientId, long afterPosition, Set<Long> skip, int max) {
        List<QueuedMessage> out = new ArrayList<>();
        Queue q = queues.get(clientId);
        if (q != null) {
            synchronized (q) {
                for (QueuedMessage m :
                        q.byPosition.tailMap(afterPosition, false).values()) {
                    if (out.size() == max) {
                        break;
                    }
                    if (m.packetId() == 0 && !skip.contains(m.messageId())) {
                        out.add(m);
                    }
                }
            }
        }
        return CompletableFuture.completedFuture(out);
    }

    /** Drops the whole queue of a session (the session was deleted). */
    void deleteQueue(String clientId) {
        Queue q = queues.remove(clientId);
        if (q != null) {
            synchronized (q) {
                for (Long id : q.positionOf.keySet()) {
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

    private void update(String clientId, long messageId, UnaryOperator<QueuedMessage> change) {
        Queue q = queues.get(clientId);
        if (q != null) {
            synchronized (q) {
                q.update(messageId, change);
            }
        }
    }
}
