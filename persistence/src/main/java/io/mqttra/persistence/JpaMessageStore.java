package io.mqttra.persistence;

import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.store.ExactlyOnceEnqueue;
import io.mqttra.broker.store.MessageStore;
import io.mqttra.broker.store.QueuedMessage;
import io.mqttra.broker.store.TransactionId;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Queued and in-flight messages of persistent sessions in the database: one message row however many sessions
 * it is queued for, one queue entry row per session. Writes go through the group-commit writer.
 */
public final class JpaMessageStore implements MessageStore, ExactlyOnceEnqueue {

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final EntityManagerFactory emf;
    private final GroupCommitWriter writer;

    JpaMessageStore(EntityManagerFactory emf, GroupCommitWriter writer) {
        this.emf = emf;
        this.writer = writer;
    }

    @Override
    public CompletableFuture<Void> enqueue(long messageId, ApplicationMessage message, List<Reference> references) {
        if (references.isEmpty()) {
            return DONE;
        }
        List<Reference> refs = List.copyOf(references);
        long receivedAt = System.currentTimeMillis();
        return writer.submit(plan -> plan.enqueue(messageId, message, refs, receivedAt));
    }

    /** One write, so message and receipt land in the same commit: a crash keeps both or neither. */
    @Override
    public CompletableFuture<Void> enqueueWithReceipt(
            long messageId,
            ApplicationMessage message,
            List<Reference> references,
            String publisherClientId,
            int packetId) {
        List<Reference> refs = List.copyOf(references);
        long receivedAt = System.currentTimeMillis();
        return writer.submit(plan -> {
            if (!refs.isEmpty()) {
                plan.enqueue(messageId, message, refs, receivedAt);
            }
            plan.addIncomingQos2(publisherClientId, packetId);
        });
    }

    /** One write, so queue entries and the prepared record's change land in the same commit. */
    @Override
    public CompletableFuture<Void> enqueuePrepared(
            long messageId, ApplicationMessage message, List<Reference> references, TransactionId xid, int seq) {
        List<Reference> refs = List.copyOf(references);
        long receivedAt = System.currentTimeMillis();
        String xidKey = xid.key();
        return writer.submit(plan -> {
            if (!refs.isEmpty()) {
                plan.enqueue(messageId, message, refs, receivedAt);
            }
            plan.routedPrepared(xidKey, seq);
        });
    }

    @Override
    public CompletableFuture<Void> countDelivery(String clientId, long messageId) {
        return writer.submit(plan -> plan.countDelivery(clientId, messageId));
    }

    @Override
    public CompletableFuture<Void> markInFlight(String clientId, long messageId, int packetId) {
        return writer.submit(plan -> plan.markInFlight(clientId, messageId, packetId));
    }

    @Override
    public CompletableFuture<Void> markReleased(String clientId, long messageId) {
        return writer.submit(plan -> plan.markReleased(clientId, messageId));
    }

    @Override
    public CompletableFuture<Void> remove(String clientId, long messageId) {
        return writer.submit(plan -> plan.remove(clientId, messageId));
    }

    @Override
    public List<QueuedMessage> loadQueue(String clientId) {
        writer.awaitWrites();
        long now = System.currentTimeMillis();
        EntityManager em = emf.createEntityManager();
        try {
            List<Object[]> rows = em.createQuery(
                            "SELECT q, m FROM QueueEntryEntity q, MessageEntity m "
                                    + "WHERE q.clientId = :c AND m.id = q.messageId ORDER BY q.seq",
                            Object[].class)
                    .setParameter("c", clientId)
                    .getResultList();
            List<QueuedMessage> inFlight = new ArrayList<>();
            List<QueuedMessage> waiting = new ArrayList<>();
            for (Object[] row : rows) {
                QueueEntryEntity q = (QueueEntryEntity) row[0];
                MessageEntity m = (MessageEntity) row[1];
                if (q.packetId != 0) {
                    // Delivery has started and must complete even if it expired since.
                    inFlight.add(toQueued(q, m));
                    continue;
                }
                // As of now: the interval lowered by the wait [MQTT-3.3.2-6], so it counts from now.
                ApplicationMessage message = MessageCodec.toMessage(m.data, m.receivedAt, now);
                if (message == null) {
                    continue; // expired before it could be sent [MQTT-3.3.2-5]
                }
                waiting.add(new QueuedMessage(
                        q.messageId,
                        message,
                        q.qos,
                        q.retain,
                        MessageCodec.decodeIds(q.subscriptionIds),
                        q.packetId,
                        q.released,
                        deliveries(q),
                        now,
                        q.seq));
            }
            inFlight.addAll(waiting);
            return inFlight;
        } finally {
            em.close();
        }
    }

    @Override
    public List<QueuedMessage> loadInFlight(String clientId) {
        writer.awaitWrites();
        EntityManager em = emf.createEntityManager();
        try {
            List<QueuedMessage> out = new ArrayList<>();
            for (Object[] row : em.createQuery(
                            "SELECT q, m FROM QueueEntryEntity q, MessageEntity m "
                                    + "WHERE q.clientId = :c AND q.packetId <> 0 AND m.id = q.messageId ORDER BY q.seq",
                            Object[].class)
                    .setParameter("c", clientId)
                    .getResultList()) {
                out.add(toQueued((QueueEntryEntity) row[0], (MessageEntity) row[1]));
            }
            return out;
        } finally {
            em.close();
        }
    }

    @Override
    public long countWaiting(String clientId) {
        writer.awaitWrites();
        EntityManager em = emf.createEntityManager();
        try {
            return em.createQuery(
                            "SELECT COUNT(q) FROM QueueEntryEntity q WHERE q.clientId = :c AND q.packetId = 0",
                            Long.class)
                    .setParameter("c", clientId)
                    .getSingleResult();
        } finally {
            em.close();
        }
    }

    /**
     * Runs on the writer (ordered after the writes before it, without blocking the caller). Each query walks the
     * (CLIENT_ID, SEQ) index from the position on; the ORDER BY names both columns so that H2 reads the index in
     * order and stops at the limit instead of sorting the whole queue. In-flight entries and the few ids to skip
     * are filtered here; the loop continues until {@code max} are found or the queue ends.
     */
    @Override
    public CompletableFuture<List<QueuedMessage>> loadWaiting(
            String clientId, long afterPosition, Set<Long> skip, int max) {
        Set<Long> skipped = Set.copyOf(skip);
        return writer.read(em -> {
            List<QueuedMessage> out = new ArrayList<>(max);
            long after = afterPosition;
            while (out.size() < max) {
                int limit = max - out.size() + skipped.size();
                List<Object[]> rows = em.createQuery(
                                "SELECT q, m FROM QueueEntryEntity q, MessageEntity m "
                                        + "WHERE q.clientId = :c AND q.seq > :after AND m.id = q.messageId "
                                        + "ORDER BY q.clientId, q.seq",
                                Object[].class)
                        .setParameter("c", clientId)
                        .setParameter("after", after)
                        .setMaxResults(limit)
                        .getResultList();
                for (Object[] row : rows) {
                    QueueEntryEntity q = (QueueEntryEntity) row[0];
                    after = q.seq;
                    if (q.packetId == 0 && !skipped.contains(q.messageId) && out.size() < max) {
                        out.add(toQueued(q, (MessageEntity) row[1]));
                    }
                }
                if (rows.size() < limit) {
                    break;
                }
            }
            return out;
        });
    }

    /** The message as published, with its arrival time: its expiry counts from there, also after a restart. */
    private static QueuedMessage toQueued(QueueEntryEntity q, MessageEntity m) {
        return new QueuedMessage(
                q.messageId,
                MessageCodec.toMessage(m.data, m.receivedAt, m.receivedAt),
                q.qos,
                q.retain,
                MessageCodec.decodeIds(q.subscriptionIds),
                q.packetId,
                q.released,
                deliveries(q),
                m.receivedAt,
                q.seq);
    }

    private static int deliveries(QueueEntryEntity q) {
        return q.deliveryCount == null ? 0 : q.deliveryCount;
    }

    /**
     * The highest message id in the store, 0 when empty: after a restart the engine must number new messages
     * above it, or a new message could take the id of a stored one. (Not yet in the SPI; see the report.)
     */
    public long maxMessageId() {
        writer.awaitWrites();
        EntityManager em = emf.createEntityManager();
        try {
            Long max = em.createQuery("SELECT MAX(m.id) FROM MessageEntity m", Long.class)
                    .getSingleResult();
            return max == null ? 0 : max;
        } finally {
            em.close();
        }
    }

    /** Number of distinct stored messages (a message queued for many sessions counts once). */
    public long storedMessageCount() {
        return count("SELECT COUNT(m) FROM MessageEntity m");
    }

    /** Number of queue entries of all sessions. */
    public long queueEntryCount() {
        return count("SELECT COUNT(q) FROM QueueEntryEntity q");
    }

    private long count(String jpql) {
        writer.awaitWrites();
        EntityManager em = emf.createEntityManager();
        try {
            return em.createQuery(jpql, Long.class).getSingleResult();
        } finally {
            em.close();
        }
    }
}
