package io.mqttra.broker;

/**
 * Receives the messages of a {@link LocalSession}: a session inside the server, without a socket
 * (the resource adapter's message-driven beans).
 */
@FunctionalInterface
public interface LocalSubscriber {

    /**
     * Called on a broker I/O thread for each message; must not block (hand the work to another thread).
     * For QoS 1 and 2 the message stays in flight until {@link Delivery#acknowledge()} is called.
     */
    void onMessage(Delivery delivery);
}
