package io.mqttra.broker.store;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Persistent sessions, their subscriptions and the QoS 2 packet identifiers they received and have not
 * released yet. Only sessions that outlive their connection are written (MQTT 3.1.1 CleanSession=0,
 * MQTT 5.0 Session Expiry Interval &gt; 0). See the package documentation for the rules every write follows.
 */
public interface SessionStore {

    /** Every stored session with its subscriptions and incoming QoS 2 ids; called once when the broker starts. */
    List<StoredSession> loadSessions();

    /**
     * Creates or replaces the session record (client id, protocol level, expiry, will); subscriptions, incoming
     * QoS 2 ids and queued messages are not touched.
     */
    CompletableFuture<Void> saveSession(StoredSession session);

    /**
     * The session lost its connection at {@code epochMillis}: its expiry interval runs from there, also across a
     * restart (MQTT 5.0 section 3.1.2.11.2). A later {@link #saveSession} means connected again. A store in memory
     * does not outlive the broker and need not keep it.
     */
    default CompletableFuture<Void> sessionDisconnected(String clientId, long epochMillis) {
        return CompletableFuture.completedFuture(null);
    }

    /** Deletes the session and everything that belongs to it: subscriptions, incoming QoS 2 ids, queued messages. */
    CompletableFuture<Void> deleteSession(String clientId);

    /** Adds or replaces (same filter) a subscription of the session. */
    CompletableFuture<Void> saveSubscription(String clientId, StoredSubscription subscription);

    /** Removes the subscription of the session on that filter (as subscribed, with a share prefix if any). */
    CompletableFuture<Void> deleteSubscription(String clientId, String filter);

    /**
     * Records that a QoS 2 PUBLISH with this packet id was received and routed: until
     * {@link #releaseIncomingQos2} a resent PUBLISH with the same id must not be routed again [MQTT-4.3.3-9].
     */
    CompletableFuture<Void> addIncomingQos2(String clientId, int packetId);

    /** The PUBREL for this packet id arrived: the id may be reused by the client. */
    CompletableFuture<Void> releaseIncomingQos2(String clientId, int packetId);

    /**
     * Checks that the store can be reached now, for readiness probes; throws with the reason when it cannot.
     * A store in memory is always reachable.
     */
    default void ping() {}
}
