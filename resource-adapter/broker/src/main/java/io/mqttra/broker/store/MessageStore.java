package io.mqttra.broker.store;

import io.mqttra.broker.ApplicationMessage;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Outgoing QoS 1 and 2 messages of persistent sessions, queued or in flight. A message routed to many sessions
 * is stored once, with one reference per session; it may be deleted when its last reference is removed.
 * See the package documentation for the rules every write follows.
 */
public interface MessageStore {

    /** A reference from one session's queue to a stored message. */
    record Reference(String clientId, int qos, boolean retain, List<Integer> subscriptionIdentifiers) {
        public Reference {
            subscriptionIdentifiers =
                    subscriptionIdentifiers == null ? List.of() : List.copyOf(subscriptionIdentifiers);
        }
    }

    /**
     * Stores a message once and appends it to the queue of each referenced session, atomically: after a crash
     * either every reference exists or none. Queue order per session is call order.
     */
    CompletableFuture<Void> enqueue(long messageId, ApplicationMessage message, List<Reference> references);

    /** The message was sent to the session with this packet id (it is now in flight; a resend sets DUP). */
    CompletableFuture<Void> markInFlight(String clientId, long messageId, int packetId);

    /** QoS 2: the session's PUBREC arrived; on resume the broker resends PUBREL, not the PUBLISH. */
    CompletableFuture<Void> markReleased(String clientId, long messageId);

    /**
     * A delivery attempt of the message to a local session (a message-driven bean) begins: one more on the entry's
     * delivery count. Written before the bean gets the message, so that a redelivery limit still holds after a
     * bean that crashed the server made every attempt end in a restart. Rides on the writer's group commit.
     */
    CompletableFuture<Void> countDelivery(String clientId, long messageId);

    /** The delivery is complete (PUBACK, PUBCOMP) or dropped: removes the session's reference. */
    CompletableFuture<Void> remove(String clientId, long messageId);

    /**
     * The session's whole queue in order (in-flight first, as they were sent), including expired messages. For
     * tests and tools: the engine pages with {@link #loadInFlight}, {@link #countWaiting} and {@link #loadWaiting},
     * so that a long queue stays in the store.
     */
    List<QueuedMessage> loadQueue(String clientId);

    /** The session's in-flight messages (packet id set), as they were sent; what a resuming session resends. */
    List<QueuedMessage> loadInFlight(String clientId);

    /** Number of the session's waiting messages (not in flight), the figure the max-queued limit applies to. */
    long countWaiting(String clientId);

    /**
     * The session's next waiting messages in queue order: at most {@code max}, fewer only when there are no more;
     * those with a {@link QueuedMessage#position()} above {@code afterPosition} (0: from the start), leaving out the
     * ids in {@code skip} (the few the session already holds). Unlike the other loads it is ordered like a write:
     * it sees every write called before it and none called after it (a session that ends reads its queue to hand it
     * on and deletes it right after). It completes later, possibly on another thread; the engine hops back.
     */
    CompletableFuture<List<QueuedMessage>> loadWaiting(String clientId, long afterPosition, Set<Long> skip, int max);
}
