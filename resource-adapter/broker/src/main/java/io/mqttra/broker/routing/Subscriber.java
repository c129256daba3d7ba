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

    /** Hands one matched message to the subscriber; called on the publisher's thread, must not block. */
    void offer(RoutedMessage message);
}
