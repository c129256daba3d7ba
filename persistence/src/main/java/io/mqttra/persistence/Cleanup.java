package io.mqttra.persistence;

import jakarta.persistence.EntityManager;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * Background removal of what nobody will read again, so that under steady load the database stops growing:
 * <ol>
 *   <li>sessions whose expiry interval has elapsed since their disconnect (MQTT 5.0 section 3.1.2.11.2), with
 *       their subscriptions, incoming QoS 2 ids and queue entries;</li>
 *   <li>queue entries not yet sent whose message expiry has elapsed [MQTT-3.3.2-5] (in-flight ones are kept:
 *       their delivery has started and must complete);</li>
 *   <li>queue entries of sessions that no longer exist (an enqueue that raced with the session's deletion);</li>
 *   <li>messages no queue entry references any more;</li>
 *   <li>retained messages whose message expiry has elapsed.</li>
 * </ol>
 * Runs on the writer thread between batches (see {@link GroupCommitWriter}), as bulk JPQL statements.
 */
final class Cleanup {

    private static final System.Logger LOG = System.getLogger(Cleanup.class.getName());
    static final long NEVER_EXPIRES = 0xFFFF_FFFFL;

    private static final String EXPIRED_SESSION = "SELECT s.clientId FROM SessionEntity s WHERE "
            + "s.disconnectedAt IS NOT NULL AND s.expiryInterval <> :never "
            + "AND s.disconnectedAt + s.expiryInterval * 1000 < :now";

    /** Returns the client ids of the sessions it deleted. */
    List<String> run(EntityManager em, long now) {
        List<String> expiredSessions = em.createQuery(EXPIRED_SESSION, String.class)
                .setParameter("never", NEVER_EXPIRES)
                .setParameter("now", now)
                .getResultList();
        int sessions = 0;
        for (String owned : new String[] {"QueueEntryEntity", "SubscriptionEntity", "IncomingQos2Entity"}) {
            em.createQuery("DELETE FROM " + owned + " x WHERE x.clientId IN (" + EXPIRED_SESSION + ")")
                    .setParameter("never", NEVER_EXPIRES)
                    .setParameter("now", now)
                    .executeUpdate();
        }
        sessions = em.createQuery("DELETE FROM SessionEntity s WHERE s.disconnectedAt IS NOT NULL "
                        + "AND s.expiryInterval <> :never AND s.disconnectedAt + s.expiryInterval * 1000 < :now")
                .setParameter("never", NEVER_EXPIRES)
                .setParameter("now", now)
                .executeUpdate();
        int expiredEntries = em.createQuery("DELETE FROM QueueEntryEntity q WHERE q.packetId = 0 AND q.messageId IN "
                        + "(SELECT m.id FROM MessageEntity m WHERE m.expiresAt IS NOT NULL AND m.expiresAt < :now)")
                .setParameter("now", now)
                .executeUpdate();
        // Plain SQL: EclipseLink turns these JPQL deletes into EXISTS subqueries over a cross join of the queue
        // table with itself (FROM MQTT_QUEUE_ENTRY t2, MQTT_QUEUE_ENTRY t1), quadratic in the queued rows. On
        // PostgreSQL with 50,000 queued messages one cleanup ran for minutes and every durable write waited on it.
        int strayEntries = em.createNativeQuery("DELETE FROM " + Sql.QUEUE_ENTRY + " WHERE NOT EXISTS (SELECT 1 FROM "
                        + Sql.SESSION + " s WHERE s.CLIENT_ID = " + Sql.QUEUE_ENTRY + ".CLIENT_ID)")
                .executeUpdate();
        int orphans = em.createNativeQuery("DELETE FROM " + Sql.MESSAGE + " WHERE NOT EXISTS (SELECT 1 FROM "
                        + Sql.QUEUE_ENTRY + " q WHERE q.MESSAGE_ID = " + Sql.MESSAGE + ".ID)")
                .executeUpdate();
        int retained = em.createQuery(
                        "DELETE FROM RetainedEntity r WHERE r.expiresAt IS NOT NULL " + "AND r.expiresAt < :now")
                .setParameter("now", now)
                .executeUpdate();
        if (sessions + expiredEntries + strayEntries + orphans + retained > 0) {
            int s = sessions;
            LOG.log(
                    Level.DEBUG,
                    () -> "Store cleanup removed " + s + " expired sessions, " + expiredEntries
                            + " expired and " + strayEntries + " stray queue entries, " + orphans
                            + " unreferenced messages, " + retained + " expired retained messages");
        }
        return expiredSessions;
    }
}
