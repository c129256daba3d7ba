package io.mqttra.broker;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The broker: one instance per server. Facade used by the resource adapter and by tests.
 *
 * <p>PLACEHOLDER BODIES: the engine work replaces them; the signatures are the contract with the RAR.
 */
public final class MqttBroker implements AutoCloseable {

    /**
     * @param config  listeners and limits
     * @param threads runs every long-lived thread of the broker (event loops); in the server it runs each
     *                task as a JCA Work. Null: the broker makes its own threads (plain JVM, tests).
     */
    public MqttBroker(BrokerConfig config, Executor threads) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** A broker with its own threads and in-memory stores. */
    public MqttBroker(BrokerConfig config) {
        this(config, null);
    }

    /**
     * Binds the listeners and starts accepting clients. Returns once bound.
     *
     * @throws BrokerException with a message naming the address and port when a listener cannot bind
     */
    public void start() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** The bound TCP port (useful when configured with port 0). */
    public int port() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * Publishes a message from inside the server (an EJB through the connection factory).
     * The future completes once the message is routed to every matching session (and stored where
     * QoS and session persistence require), or fails with the reason.
     */
    public CompletableFuture<Void> publish(ApplicationMessage message) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Opens (or resumes) a session without a socket, for the message-driven beans of the server. */
    public LocalSession openLocalSession(String clientId, LocalSubscriber subscriber) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Closes the listeners and every connection, and ends the broker's threads. Idempotent. */
    public void stop() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    @Override
    public void close() {
        stop();
    }
}
