package io.mqttra.broker.routing;

/**
 * What the routing layer knows about the owner of a subscription: a session. Kept as an interface so that
 * the subscription tree does not depend on the session implementation.
 */
public interface Subscriber {

    String clientId();

    /** True while a network connection (or local listener) is attached. */
    boolean isConnected();

    /** True when the session outlives its connection, so QoS 1/2 messages for it go to the message store. */
    boolean isPersistent();

    /**
     * Non-null while the subscriber is connected but its queue is congested: completes when it has drained.
     * Publishers of QoS 1/2 messages for it wait for this before they are acknowledged (back-pressure).
     */
    default java.util.concurrent.CompletableFuture<Void> congestion() {
        return null;
    }

    /**
     * True when a message offered now would not add to a congested queue. Side-effect free (unlike {@link
     * #congestion}), so that a shared subscription can ask every member before it picks one.
     */
    default boolean hasRoom() {
        return true;
    }

    /** How many QoS 1/2 messages wait for this subscriber or are on their way to it; no side effect. */
    default int backlog() {
        return 0;
    }

    /**
     * Announces an {@link #offer} to come, before the store write of its message: a session that pages its queue
     * in from the store uses it to tell a message it loaded from one still on its way to it, and a session that
     * ends uses it to tell which of its stored messages are still on their way to it.
     *
     * @param via the subscription the router matched this subscriber through (one of them when several overlap), or
     *            for a shared subscription the one it picked this subscriber through
     */
    default void expectOffer(long messageId, Subscription via) {}

    /** Hands one matched message to the subscriber; called on the publisher's thread, must not block. */
    void offer(RoutedMessage message);

    /**
     * Hands over a message the router matched through {@code via}. If a Clean Start or the session's end discarded
     * that subscription meanwhile, the message is not the current session's [MQTT-3.1.2-4]: the subscriber discards
     * it, or for a shared subscription passes it on to another member of the group.
     */
    default void offer(RoutedMessage message, Subscription via) {
        offer(message);
    }

    /**
     * Hands over the retained messages for a new subscription, in order. They come all at once (a '#' may
     * match thousands), so the subscriber takes them at the pace its client acknowledges and reads them, not
     * into its bounded queue.
     */
    default void offerRetained(java.util.List<RoutedMessage> messages) {
        messages.forEach(this::offer);
    }
}
