package io.mqttra.persistence;

import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.store.Acknowledgement;
import io.mqttra.broker.store.PreparedTransaction;
import io.mqttra.broker.store.TransactionId;
import io.mqttra.broker.store.TransactionStore;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Prepared XA transactions in the database ({@link PreparedMessageEntity}, one row per message or acknowledgement).
 *
 * <p>Each call but {@link #commitOnePhase} is its own database transaction on the caller's thread, not a write of
 * the group-commit writer: the transaction manager's thread waits for the prepare anyway, there is one write per
 * distributed transaction (not per message), and the record must be durable before prepare answers. The store's durability setting
 * ({@code WRITE_DELAY=0} for H2) applies as for every other write.
 *
 * <p>One change comes from the writer instead: when a committed branch's message is routed, its row is deleted in
 * the same commit as the message's queue entries ({@link JpaMessageStore#enqueuePrepared}), so a crash before
 * {@link #commit} leaves only what was not routed yet for recovery to commit. A branch recorded by
 * {@link #commitOnePhase} has every row committed from the start; its message rows go the same way.
 */
public final class JpaTransactionStore implements TransactionStore {

    private final EntityManagerFactory emf;
    private final GroupCommitWriter writer;

    JpaTransactionStore(EntityManagerFactory emf, GroupCommitWriter writer) {
        this.emf = emf;
        this.writer = writer;
    }

    @Override
    public CompletableFuture<Void> prepare(
            TransactionId xid, List<ApplicationMessage> messages, List<Acknowledgement> acknowledgements) {
        List<PreparedMessageEntity> rows = rows(xid, messages, acknowledgements, false);
        return write(em -> {
            delete(em, xid);
            rows.forEach(em::persist);
        });
    }

    /**
     * Through the group-commit writer: the caller (a message-driven bean's transaction, typically) waits for the
     * record anyway, and beans that answer at the same time then share one commit.
     */
    @Override
    public CompletableFuture<Void> commitOnePhase(
            TransactionId xid, List<ApplicationMessage> messages, List<Acknowledgement> acknowledgements) {
        List<PreparedMessageEntity> rows = rows(xid, messages, acknowledgements, true);
        return writer.submit(plan -> plan.recordCommitted(rows));
    }

    /** A branch's record: prepared, or already committed. */
    private static List<PreparedMessageEntity> rows(
            TransactionId xid,
            List<ApplicationMessage> messages,
            List<Acknowledgement> acknowledgements,
            boolean committed) {
        long now = System.currentTimeMillis();
        Long committedAt = committed ? now : null;
        List<PreparedMessageEntity> rows = new ArrayList<>(messages.size() + acknowledgements.size());
        int seq = 0;
        for (ApplicationMessage m : messages) {
            PreparedMessageEntity e = row(xid, seq++, now, committedAt);
            e.data = MessageCodec.toData(m);
            rows.add(e);
        }
        for (Acknowledgement a : acknowledgements) {
            PreparedMessageEntity e = row(xid, seq++, now, committedAt);
            e.ackClientId = a.clientId();
            e.ackMessageId = a.messageId();
            rows.add(e);
        }
        return rows;
    }

    private static PreparedMessageEntity row(TransactionId xid, int seq, long now, Long committedAt) {
        PreparedMessageEntity e = new PreparedMessageEntity();
        e.xidKey = xid.key();
        e.seq = seq;
        e.formatId = xid.getFormatId();
        e.globalTransactionId = xid.getGlobalTransactionId();
        e.branchQualifier = xid.getBranchQualifier();
        e.preparedAt = now;
        e.committedAt = committedAt;
        return e;
    }

    @Override
    public CompletableFuture<Void> commit(TransactionId xid) {
        long now = System.currentTimeMillis();
        return write(em -> {
            em.createQuery("DELETE FROM PreparedMessageEntity p WHERE p.xidKey = :key AND p.ackClientId IS NULL")
                    .setParameter("key", xid.key())
                    .executeUpdate();
            em.createQuery("UPDATE PreparedMessageEntity p SET p.committedAt = :now WHERE p.xidKey = :key")
                    .setParameter("now", now)
                    .setParameter("key", xid.key())
                    .executeUpdate();
        });
    }

    @Override
    public CompletableFuture<Void> rollback(TransactionId xid) {
        return write(em -> delete(em, xid));
    }

    @Override
    public List<PreparedTransaction> loadPrepared() {
        return load("SELECT p FROM PreparedMessageEntity p WHERE p.committedAt IS NULL"
                + " ORDER BY p.preparedAt, p.xidKey, p.seq");
    }

    @Override
    public List<PreparedTransaction> loadUnrouted() {
        return load("SELECT p FROM PreparedMessageEntity p WHERE p.committedAt IS NOT NULL AND p.ackClientId IS NULL"
                + " ORDER BY p.preparedAt, p.xidKey, p.seq");
    }

    /** The branches of the rows a query selects, each with its messages (in record order) and acknowledgements. */
    private List<PreparedTransaction> load(String query) {
        long now = System.currentTimeMillis();
        EntityManager em = emf.createEntityManager();
        try {
            List<PreparedMessageEntity> rows =
                    em.createQuery(query, PreparedMessageEntity.class).getResultList();
            Map<String, TransactionId> ids = new LinkedHashMap<>();
            Map<String, List<ApplicationMessage>> messages = new LinkedHashMap<>();
            Map<String, List<Acknowledgement>> acks = new LinkedHashMap<>();
            Map<String, List<Integer>> seqs = new LinkedHashMap<>();
            for (PreparedMessageEntity row : rows) {
                ids.computeIfAbsent(
                        row.xidKey, k -> new TransactionId(row.formatId, row.globalTransactionId, row.branchQualifier));
                List<ApplicationMessage> list = messages.computeIfAbsent(row.xidKey, k -> new ArrayList<>());
                List<Acknowledgement> ackList = acks.computeIfAbsent(row.xidKey, k -> new ArrayList<>());
                if (row.ackClientId != null) {
                    ackList.add(new Acknowledgement(row.ackClientId, row.ackMessageId));
                    continue;
                }
                List<Integer> seqList = seqs.computeIfAbsent(row.xidKey, k -> new ArrayList<>());
                ApplicationMessage m = MessageCodec.toMessage(row.data, row.preparedAt, now);
                if (m != null) { // expired while in doubt: not delivered any more [MQTT-3.3.2-5]
                    list.add(m);
                    seqList.add(row.seq);
                }
            }
            List<PreparedTransaction> out = new ArrayList<>(ids.size());
            ids.forEach((key, id) -> out.add(
                    new PreparedTransaction(id, messages.get(key), acks.get(key), seqs.getOrDefault(key, List.of()))));
            return out;
        } finally {
            em.close();
        }
    }

    @Override
    public List<Acknowledgement> loadCommittedAcknowledgements() {
        EntityManager em = emf.createEntityManager();
        try {
            List<Acknowledgement> out = new ArrayList<>();
            for (PreparedMessageEntity row : em.createQuery(
                            "SELECT p FROM PreparedMessageEntity p WHERE p.committedAt IS NOT NULL AND p.ackClientId IS NOT NULL",
                            PreparedMessageEntity.class)
                    .getResultList()) {
                out.add(new Acknowledgement(row.ackClientId, row.ackMessageId));
            }
            return out;
        } finally {
            em.close();
        }
    }

    @Override
    public CompletableFuture<Void> purgeCommitted(long epochMillis) {
        return write(em -> em.createQuery(
                        "DELETE FROM PreparedMessageEntity p WHERE p.committedAt IS NOT NULL AND p.committedAt < :t"
                                // a committed message leaves the record only once it is routed
                                + " AND p.ackClientId IS NOT NULL")
                .setParameter("t", epochMillis)
                .executeUpdate());
    }

    private static void delete(EntityManager em, TransactionId xid) {
        em.createQuery("DELETE FROM PreparedMessageEntity p WHERE p.xidKey = :key")
                .setParameter("key", xid.key())
                .executeUpdate();
    }

    private CompletableFuture<Void> write(Consumer<EntityManager> change) {
        EntityManager em = emf.createEntityManager();
        try {
            em.getTransaction().begin();
            change.accept(em);
            em.getTransaction().commit();
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        } finally {
            if (em.getTransaction().isActive()) {
                em.getTransaction().rollback();
            }
            em.close();
        }
    }
}
