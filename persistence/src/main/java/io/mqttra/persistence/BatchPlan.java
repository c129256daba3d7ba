package io.mqttra.persistence;

import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.store.MessageStore.Reference;
import io.mqttra.broker.store.StoredSession;
import io.mqttra.broker.store.StoredSubscription;
import jakarta.persistence.EntityManager;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The net effect of one batch of store writes, folded in call order and then applied in one transaction.
 *
 * <p>Why fold: in a batch the same row is often written several times (a message is queued, sent, then
 * acknowledged; a QoS 2 id is added, then released). Only the final state has to reach the database, since the
 * batch commits as a whole: a queue entry inserted and removed in the same batch is never written at all. The
 * fold is exact, so the committed state equals applying the writes one by one in call order.
 *
 * <p>Why this apply order: every key is written at most once per batch, so the order between tables does not
 * matter except that deletes by key must precede the insert of the same key (an upsert is a delete by key plus
 * an insert, which needs no SELECT and no database-specific MERGE). Deletes and updates go out as JDBC batches on
 * the transaction's connection by primary key, before anything is inserted; the per-message rows (messages, queue
 * entries) are inserted the same way, the others (sessions, subscriptions, QoS 2 ids, retained messages) are
 * entities persisted through the EntityManager, which EclipseLink sends as JDBC batches at commit
 * ({@code eclipselink.jdbc.batch-writing}).
 */
final class BatchPlan {

    /** Session-level change; purge means: delete the session and everything it owns, before anything else. */
    private static final class SessionPlan {
        boolean purge;
        SessionEntity upsert;
        Long disconnectedAt;
        boolean setDisconnected;
    }

    /** Queue entry change: either a new entry (insert) or changes to one already stored. */
    private static final class RefPlan {
        QueueEntryEntity insert;
        Integer packetId;
        boolean released;
        int deliveries;
        boolean delete;
    }

    private static final class NewMessage {
        final MessageEntity entity;
        int references;

        NewMessage(MessageEntity entity) {
            this.entity = entity;
        }
    }

    private record SubKey(String clientId, String filter) {}

    private record PacketKey(String clientId, int packetId) {}

    private record RefKey(String clientId, long messageId) {}

    private record PreparedKey(String xidKey, int seq) {}

    private final LongSupplier sequence;
    private final Set<String> knownSessions;
    private final Map<String, SessionPlan> sessions = new LinkedHashMap<>();
    private final Map<SubKey, SubscriptionEntity> subscriptions = new LinkedHashMap<>(); // null value: delete
    private final Map<PacketKey, Boolean> incomingQos2 = new LinkedHashMap<>(); // false: release
    private final Map<String, RetainedEntity> retained = new LinkedHashMap<>(); // null value: delete
    private final Map<Long, NewMessage> newMessages = new LinkedHashMap<>();
    private final Map<RefKey, RefPlan> refs = new LinkedHashMap<>();
    private final Set<Long> orphanCandidates = new HashSet<>();
    private final Set<PreparedKey> routedPrepared = new LinkedHashSet<>();
    private final Map<PreparedKey, PreparedMessageEntity> committedRecords = new LinkedHashMap<>();
    private int writes;

    /**
     * @param sequence      queue order numbers
     * @param knownSessions client ids of the stored sessions, kept up to date by the fold: subscription and QoS 2
     *                      writes for a client without a session are no-ops, as the store contract says
     */
    BatchPlan(LongSupplier sequence, Set<String> knownSessions) {
        this.sequence = sequence;
        this.knownSessions = knownSessions;
    }

    /** Number of writes folded into this plan. */
    int writes() {
        return writes;
    }

    // ---- folding, in call order ----

    void saveSession(StoredSession s) {
        writes++;
        SessionEntity e = new SessionEntity();
        e.clientId = s.clientId();
        e.protocolLevel = s.protocolLevel();
        e.expiryInterval = s.expiryIntervalSeconds();
        e.willDelay = s.willDelaySeconds();
        e.will = s.will() == null ? null : MessageCodec.toData(s.will());
        // Saved while connected (or about to be): it cannot expire until a disconnect is recorded.
        e.disconnectedAt = null;
        knownSessions.add(s.clientId());
        SessionPlan p = sessions.computeIfAbsent(s.clientId(), c -> new SessionPlan());
        p.upsert = e;
        p.setDisconnected = false;
    }

    void sessionDisconnected(String clientId, long at) {
        writes++;
        if (!knownSessions.contains(clientId)) {
            return;
        }
        SessionPlan p = sessions.computeIfAbsent(clientId, c -> new SessionPlan());
        if (p.upsert != null) {
            p.upsert.disconnectedAt = at;
        } else if (!p.purge) {
            p.disconnectedAt = at;
            p.setDisconnected = true;
        }
    }

    void deleteSession(String clientId) {
        writes++;
        knownSessions.remove(clientId);
        SessionPlan p = new SessionPlan();
        p.purge = true;
        sessions.put(clientId, p);
        subscriptions.keySet().removeIf(k -> k.clientId().equals(clientId));
        incomingQos2.keySet().removeIf(k -> k.clientId().equals(clientId));
        for (Iterator<Map.Entry<RefKey, RefPlan>> it = refs.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<RefKey, RefPlan> e = it.next();
            if (e.getKey().clientId().equals(clientId)) {
                if (e.getValue().insert != null) {
                    dropNewReference(e.getKey().messageId());
                }
                it.remove();
            }
        }
    }

    void saveSubscription(String clientId, StoredSubscription s) {
        writes++;
        if (!knownSessions.contains(clientId)) {
            return;
        }
        SubscriptionEntity e = new SubscriptionEntity();
        e.clientId = clientId;
        e.filter = s.filter();
        e.qos = s.qos();
        e.noLocal = s.noLocal();
        e.retainAsPublished = s.retainAsPublished();
        e.retainHandling = s.retainHandling();
        e.subscriptionIdentifier = s.subscriptionIdentifier();
        subscriptions.put(new SubKey(clientId, s.filter()), e);
    }

    void deleteSubscription(String clientId, String filter) {
        writes++;
        if (!knownSessions.contains(clientId)) {
            return;
        }
        subscriptions.put(new SubKey(clientId, filter), null);
    }

    void addIncomingQos2(String clientId, int packetId) {
        writes++;
        if (!knownSessions.contains(clientId)) {
            return;
        }
        incomingQos2.put(new PacketKey(clientId, packetId), Boolean.TRUE);
    }

    void releaseIncomingQos2(String clientId, int packetId) {
        writes++;
        if (!knownSessions.contains(clientId)) {
            return;
        }
        incomingQos2.put(new PacketKey(clientId, packetId), Boolean.FALSE);
    }

    void putRetained(ApplicationMessage m, long receivedAt) {
        writes++;
        RetainedEntity e = new RetainedEntity();
        e.topicKey = m.topic();
        e.data = MessageCodec.toData(m);
        e.receivedAt = receivedAt;
        e.expiresAt = MessageCodec.expiresAt(m, receivedAt);
        retained.put(m.topic(), e);
    }

    void removeRetained(String topic) {
        writes++;
        retained.put(topic, null);
    }

    void enqueue(long messageId, ApplicationMessage m, List<Reference> references, long receivedAt) {
        writes++;
        NewMessage message = newMessages.get(messageId);
        if (message == null) {
            MessageEntity e = new MessageEntity();
            e.id = messageId;
            e.data = MessageCodec.toData(m);
            e.receivedAt = receivedAt;
            e.expiresAt = MessageCodec.expiresAt(m, receivedAt);
            message = new NewMessage(e);
            newMessages.put(messageId, message);
        }
        long seq = sequence.getAsLong();
        for (Reference r : references) {
            QueueEntryEntity q = new QueueEntryEntity();
            q.clientId = r.clientId();
            q.messageId = messageId;
            q.seq = seq;
            q.qos = r.qos();
            q.retain = r.retain();
            q.subscriptionIds = MessageCodec.encodeIds(r.subscriptionIdentifiers());
            RefPlan p = new RefPlan();
            p.insert = q;
            RefPlan previous = refs.put(new RefKey(r.clientId(), messageId), p);
            if (previous == null || previous.insert == null) {
                message.references++;
            }
            if (previous != null && previous.insert == null) {
                // The same entry may already be stored (an id queued twice): replace it, delete by key first.
                p.delete = true;
            }
        }
    }

    void markInFlight(String clientId, long messageId, int packetId) {
        writes++;
        RefPlan p = refs.computeIfAbsent(new RefKey(clientId, messageId), k -> new RefPlan());
        if (p.insert != null) {
            p.insert.packetId = packetId;
        } else if (!p.delete) {
            p.packetId = packetId;
        }
    }

    void markReleased(String clientId, long messageId) {
        writes++;
        RefPlan p = refs.computeIfAbsent(new RefKey(clientId, messageId), k -> new RefPlan());
        if (p.insert != null) {
            p.insert.released = true;
        } else if (!p.delete) {
            p.released = true;
        }
    }

    void countDelivery(String clientId, long messageId) {
        writes++;
        RefPlan p = refs.computeIfAbsent(new RefKey(clientId, messageId), k -> new RefPlan());
        if (p.insert != null) {
            p.insert.deliveryCount = (p.insert.deliveryCount == null ? 0 : p.insert.deliveryCount) + 1;
        } else if (!p.delete) {
            p.deliveries++;
        }
    }

    /** Message {@code seq} of prepared branch {@code xidKey} was routed: it leaves the branch's record. */
    void routedPrepared(String xidKey, int seq) {
        writes++;
        PreparedKey key = new PreparedKey(xidKey, seq);
        if (committedRecords.remove(key) == null) {
            routedPrepared.add(key);
        }
    }

    /** The record of a branch committed in one phase: new rows (a fresh Xid, so nothing to replace). */
    void recordCommitted(List<PreparedMessageEntity> rows) {
        for (PreparedMessageEntity row : rows) {
            writes++;
            committedRecords.put(new PreparedKey(row.xidKey, row.seq), row);
        }
    }

    void remove(String clientId, long messageId) {
        writes++;
        RefKey key = new RefKey(clientId, messageId);
        RefPlan p = refs.get(key);
        if (p != null && p.insert != null) {
            dropNewReference(messageId);
            if (p.delete) {
                p.insert = null; // the stored row still has to go
            } else {
                refs.remove(key);
            }
            return;
        }
        RefPlan d = new RefPlan();
        d.delete = true;
        refs.put(key, d);
        orphanCandidates.add(messageId);
    }

    private void dropNewReference(long messageId) {
        NewMessage m = newMessages.get(messageId);
        if (m != null && --m.references == 0) {
            newMessages.remove(messageId);
        }
    }

    // ---- applying, inside the writer's transaction ----

    void apply(EntityManager em, Connection c) throws SQLException {
        List<String> purged = new ArrayList<>();
        List<String> replacedSessions = new ArrayList<>();
        List<SessionPlan> disconnected = new ArrayList<>();
        List<String> disconnectedIds = new ArrayList<>();
        for (Map.Entry<String, SessionPlan> e : sessions.entrySet()) {
            SessionPlan p = e.getValue();
            if (p.purge) {
                purged.add(e.getKey());
            } else if (p.upsert != null) {
                replacedSessions.add(e.getKey());
            }
            if (p.setDisconnected && p.upsert == null) {
                disconnected.add(p);
                disconnectedIds.add(e.getKey());
            }
        }
        if (!purged.isEmpty()) {
            // Messages only these sessions referenced go with them.
            batch(
                    c,
                    "DELETE FROM " + Sql.MESSAGE + " WHERE ID IN (SELECT q.MESSAGE_ID FROM " + Sql.QUEUE_ENTRY
                            + " q WHERE q.CLIENT_ID = ?) AND NOT EXISTS (SELECT 1 FROM " + Sql.QUEUE_ENTRY + " o WHERE "
                            + "o.MESSAGE_ID = " + Sql.MESSAGE + ".ID AND o.CLIENT_ID <> ?)",
                    purged,
                    (s, id) -> {
                        s.setString(1, id);
                        s.setString(2, id);
                    });
            for (String table : List.of(Sql.QUEUE_ENTRY, Sql.SUBSCRIPTION, Sql.INCOMING_QOS2, Sql.SESSION)) {
                batch(c, "DELETE FROM " + table + " WHERE CLIENT_ID = ?", purged, (s, id) -> s.setString(1, id));
            }
        }
        batch(
                c,
                "DELETE FROM " + Sql.SESSION + " WHERE CLIENT_ID = ?",
                replacedSessions,
                (s, id) -> s.setString(1, id));
        batch(
                c,
                "DELETE FROM " + Sql.SUBSCRIPTION + " WHERE CLIENT_ID = ? AND FILTER = ?",
                subscriptions.keySet(),
                (s, k) -> {
                    s.setString(1, k.clientId());
                    s.setString(2, k.filter());
                });
        batch(
                c,
                "DELETE FROM " + Sql.INCOMING_QOS2 + " WHERE CLIENT_ID = ? AND PACKET_ID = ?",
                incomingQos2.keySet(),
                (s, k) -> {
                    s.setString(1, k.clientId());
                    s.setInt(2, k.packetId());
                });
        batch(
                c,
                "DELETE FROM " + Sql.RETAINED + " WHERE TOPIC_KEY = ?",
                retained.keySet(),
                (s, topic) -> s.setString(1, topic));

        List<RefKey> deletes = new ArrayList<>();
        List<Map.Entry<RefKey, RefPlan>> packetIds = new ArrayList<>();
        List<RefKey> releases = new ArrayList<>();
        List<Map.Entry<RefKey, RefPlan>> deliveries = new ArrayList<>();
        for (Map.Entry<RefKey, RefPlan> e : refs.entrySet()) {
            RefPlan p = e.getValue();
            if (p.delete) {
                deletes.add(e.getKey());
            } else if (p.insert == null) {
                if (p.packetId != null) {
                    packetIds.add(e);
                }
                if (p.released) {
                    releases.add(e.getKey());
                }
                if (p.deliveries > 0) {
                    deliveries.add(e);
                }
            }
        }
        batch(c, "DELETE FROM " + Sql.QUEUE_ENTRY + " WHERE CLIENT_ID = ? AND MESSAGE_ID = ?", deletes, (s, k) -> {
            s.setString(1, k.clientId());
            s.setLong(2, k.messageId());
        });
        batch(
                c,
                "UPDATE " + Sql.QUEUE_ENTRY + " SET PACKET_ID = ? WHERE CLIENT_ID = ? AND MESSAGE_ID = ?",
                packetIds,
                (s, e) -> {
                    s.setInt(1, e.getValue().packetId);
                    s.setString(2, e.getKey().clientId());
                    s.setLong(3, e.getKey().messageId());
                });
        batch(
                c,
                "UPDATE " + Sql.QUEUE_ENTRY + " SET RELEASED = ? WHERE CLIENT_ID = ? AND MESSAGE_ID = ?",
                releases,
                (s, k) -> {
                    s.setBoolean(1, true);
                    s.setString(2, k.clientId());
                    s.setLong(3, k.messageId());
                });
        batch(
                c,
                "UPDATE " + Sql.QUEUE_ENTRY + " SET DELIVERY_COUNT = COALESCE(DELIVERY_COUNT, 0) + ?"
                        + " WHERE CLIENT_ID = ? AND MESSAGE_ID = ?",
                deliveries,
                (s, e) -> {
                    s.setInt(1, e.getValue().deliveries);
                    s.setString(2, e.getKey().clientId());
                    s.setLong(3, e.getKey().messageId());
                });
        batch(c, "DELETE FROM " + Sql.PREPARED_MESSAGE + " WHERE XID_KEY = ? AND SEQ = ?", routedPrepared, (s, k) -> {
            s.setString(1, k.xidKey());
            s.setInt(2, k.seq());
        });
        batch(
                c,
                "UPDATE " + Sql.SESSION + " SET DISCONNECTED_AT = ? WHERE CLIENT_ID = ?",
                disconnectedIds,
                new Binder<>() {
                    private int i;

                    @Override
                    public void bind(PreparedStatement s, String id) throws SQLException {
                        s.setLong(1, disconnected.get(i++).disconnectedAt);
                        s.setString(2, id);
                    }
                });
        orphanCandidates.removeAll(newMessages.keySet());
        // A message is deleted with its last reference, without a reference count: the NOT EXISTS probe reads
        // the prefix of the queue entries' primary key (MESSAGE_ID, CLIENT_ID).
        batch(
                c,
                "DELETE FROM " + Sql.MESSAGE + " WHERE ID = ? AND NOT EXISTS (SELECT 1 FROM " + Sql.QUEUE_ENTRY
                        + " q WHERE q.MESSAGE_ID = ?)",
                orphanCandidates,
                (s, id) -> {
                    s.setLong(1, id);
                    s.setLong(2, id);
                });

        for (SessionPlan p : sessions.values()) {
            if (p.upsert != null) {
                em.persist(p.upsert);
            }
        }
        for (SubscriptionEntity s : subscriptions.values()) {
            if (s != null) {
                em.persist(s);
            }
        }
        for (Map.Entry<PacketKey, Boolean> e : incomingQos2.entrySet()) {
            if (e.getValue()) {
                IncomingQos2Entity q = new IncomingQos2Entity();
                q.clientId = e.getKey().clientId();
                q.packetId = e.getKey().packetId();
                em.persist(q);
            }
        }
        for (RetainedEntity r : retained.values()) {
            if (r != null) {
                em.persist(r);
            }
        }
        committedRecords.values().forEach(em::persist);
        insertMessages(c);
        insertQueueEntries(c);
    }

    /**
     * Messages and queue entries are the per-message rows: written as plain JDBC batches, which costs about a
     * quarter less CPU per message than persisting entities (measured with the store benchmark,
     * benchmarks/run.sh --only store: no change sets, no identity map) on the one thread that all durable writes
     * wait for. The columns are those of {@link MessageEntity} and
     * {@link QueueEntryEntity}, which define the schema.
     */
    private void insertMessages(Connection c) throws SQLException {
        List<MessageEntity> rows = new ArrayList<>(newMessages.size());
        for (NewMessage m : newMessages.values()) {
            rows.add(m.entity);
        }
        batch(
                c,
                "INSERT INTO " + Sql.MESSAGE + " (ID, RECEIVED_AT, EXPIRES_AT, TOPIC, PAYLOAD, QOS, RETAIN_FLAG, "
                        + "PAYLOAD_UTF8, EXPIRY_INTERVAL, CONTENT_TYPE, RESPONSE_TOPIC, CORRELATION_DATA, USER_PROPERTIES) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
                (s, m) -> {
                    MessageData d = m.data;
                    s.setLong(1, m.id);
                    s.setLong(2, m.receivedAt);
                    setLong(s, 3, m.expiresAt);
                    s.setString(4, d.topic);
                    s.setBytes(5, d.payload);
                    s.setInt(6, d.qos);
                    s.setBoolean(7, d.retain);
                    if (d.payloadUtf8 == null) {
                        s.setNull(8, Types.BOOLEAN);
                    } else {
                        s.setBoolean(8, d.payloadUtf8);
                    }
                    setLong(s, 9, d.expiryInterval);
                    s.setString(10, d.contentType);
                    s.setString(11, d.responseTopic);
                    s.setBytes(12, d.correlationData);
                    s.setBytes(13, d.userProperties);
                });
    }

    private void insertQueueEntries(Connection c) throws SQLException {
        List<QueueEntryEntity> rows = new ArrayList<>();
        for (RefPlan p : refs.values()) {
            if (p.insert != null) {
                rows.add(p.insert);
            }
        }
        batch(
                c,
                "INSERT INTO " + Sql.QUEUE_ENTRY + " (CLIENT_ID, MESSAGE_ID, SEQ, QOS, RETAIN_FLAG, "
                        + "SUBSCRIPTION_IDS, PACKET_ID, RELEASED, DELIVERY_COUNT) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
                (s, q) -> {
                    s.setString(1, q.clientId);
                    s.setLong(2, q.messageId);
                    s.setLong(3, q.seq);
                    s.setInt(4, q.qos);
                    s.setBoolean(5, q.retain);
                    s.setString(6, q.subscriptionIds);
                    s.setInt(7, q.packetId);
                    s.setBoolean(8, q.released);
                    s.setInt(9, q.deliveryCount == null ? 0 : q.deliveryCount);
                });
    }

    private static void setLong(PreparedStatement s, int index, Long value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.BIGINT);
        } else {
            s.setLong(index, value);
        }
    }

    @FunctionalInterface
    private interface Binder<T> {
        void bind(PreparedStatement s, T item) throws SQLException;
    }

    private static <T> void batch(Connection c, String sql, Collection<T> items, Binder<T> binder) throws SQLException {
        if (items.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement(sql)) {
            if (items.size() == 1) {
                binder.bind(s, items.iterator().next());
                s.executeUpdate();
                return;
            }
            for (T item : items) {
                binder.bind(s, item);
                s.addBatch();
            }
            s.executeBatch();
        }
    }
}
