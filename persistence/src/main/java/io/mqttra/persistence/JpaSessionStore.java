package io.mqttra.persistence;

import io.mqttra.broker.store.SessionStore;
import io.mqttra.broker.store.StoredSession;
import io.mqttra.broker.store.StoredSubscription;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** Persistent sessions in the database; writes go through the group-commit writer. */
public final class JpaSessionStore implements SessionStore {

    private final EntityManagerFactory emf;
    private final GroupCommitWriter writer;

    JpaSessionStore(EntityManagerFactory emf, GroupCommitWriter writer) {
        this.emf = emf;
        this.writer = writer;
    }

    @Override
    public List<StoredSession> loadSessions() {
        writer.awaitWrites();
        long now = System.currentTimeMillis();
        EntityManager em = emf.createEntityManager();
        try {
            Map<String, List<StoredSubscription>> subs = new HashMap<>();
            for (SubscriptionEntity s : em.createQuery("SELECT s FROM SubscriptionEntity s", SubscriptionEntity.class)
                    .getResultList()) {
                subs.computeIfAbsent(s.clientId, c -> new ArrayList<>())
                        .add(new StoredSubscription(
                                s.filter,
                                s.qos,
                                s.noLocal,
                                s.retainAsPublished,
                                s.retainHandling,
                                s.subscriptionIdentifier));
            }
            Map<String, Set<Integer>> qos2 = new HashMap<>();
            for (IncomingQos2Entity q : em.createQuery("SELECT q FROM IncomingQos2Entity q", IncomingQos2Entity.class)
                    .getResultList()) {
                qos2.computeIfAbsent(q.clientId, c -> new HashSet<>()).add(q.packetId);
            }
            List<StoredSession> out = new ArrayList<>();
            for (SessionEntity s : em.createQuery(
                            "SELECT s FROM SessionEntity s ORDER BY s.clientId", SessionEntity.class)
                    .getResultList()) {
                out.add(new StoredSession(
                        s.clientId,
                        s.protocolLevel,
                        s.expiryInterval,
                        MessageCodec.toMessage(s.will, now, now),
                        s.willDelay,
                        subs.get(s.clientId),
                        qos2.get(s.clientId),
                        s.disconnectedAt));
            }
            return out;
        } finally {
            em.close();
        }
    }

    /** Readiness: the writer is running and the database answers. */
    @Override
    public void ping() {
        if (!writer.isRunning()) {
            throw new IllegalStateException("the store writer has stopped");
        }
        EntityManager em = emf.createEntityManager();
        try {
            em.createQuery("SELECT COUNT(v) FROM SchemaVersionEntity v").getSingleResult();
        } finally {
            em.close();
        }
    }

    @Override
    public CompletableFuture<Void> saveSession(StoredSession session) {
        return writer.submit(plan -> plan.saveSession(session));
    }

    /** The background cleanup deletes the session once its expiry interval has elapsed after this instant. */
    @Override
    public CompletableFuture<Void> sessionDisconnected(String clientId, long epochMillis) {
        return writer.submit(plan -> plan.sessionDisconnected(clientId, epochMillis));
    }

    @Override
    public CompletableFuture<Void> deleteSession(String clientId) {
        return writer.submit(plan -> plan.deleteSession(clientId));
    }

    @Override
    public CompletableFuture<Void> saveSubscription(String clientId, StoredSubscription subscription) {
        return writer.submit(plan -> plan.saveSubscription(clientId, subscription));
    }

    @Override
    public CompletableFuture<Void> deleteSubscription(String clientId, String filter) {
        return writer.submit(plan -> plan.deleteSubscription(clientId, filter));
    }

    @Override
    public CompletableFuture<Void> addIncomingQos2(String clientId, int packetId) {
        return writer.submit(plan -> plan.addIncomingQos2(clientId, packetId));
    }

    @Override
    public CompletableFuture<Void> releaseIncomingQos2(String clientId, int packetId) {
        return writer.submit(plan -> plan.releaseIncomingQos2(clientId, packetId));
    }
}
