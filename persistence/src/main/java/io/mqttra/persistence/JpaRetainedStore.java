package io.mqttra.persistence;

import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.store.RetainedStore;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Retained messages in the database, one row per topic; writes go through the group-commit writer. */
public final class JpaRetainedStore implements RetainedStore {

    private final EntityManagerFactory emf;
    private final GroupCommitWriter writer;

    JpaRetainedStore(EntityManagerFactory emf, GroupCommitWriter writer) {
        this.emf = emf;
        this.writer = writer;
    }

    @Override
    public List<ApplicationMessage> loadAll() {
        writer.awaitWrites();
        long now = System.currentTimeMillis();
        EntityManager em = emf.createEntityManager();
        try {
            List<ApplicationMessage> out = new ArrayList<>();
            for (RetainedEntity r : em.createQuery("SELECT r FROM RetainedEntity r", RetainedEntity.class)
                    .getResultList()) {
                ApplicationMessage m = MessageCodec.toMessage(r.data, r.receivedAt, now);
                if (m != null) { // an expired retained message is not sent any more [MQTT-3.3.2-5]
                    out.add(m);
                }
            }
            return out;
        } finally {
            em.close();
        }
    }

    @Override
    public CompletableFuture<Void> put(ApplicationMessage message) {
        long receivedAt = System.currentTimeMillis();
        return writer.submit(plan -> plan.putRetained(message, receivedAt));
    }

    @Override
    public CompletableFuture<Void> remove(String topic) {
        return writer.submit(plan -> plan.removeRetained(topic));
    }
}
