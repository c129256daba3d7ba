package io.mqttra.ra.tx;

import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.MqttBroker;
import io.mqttra.broker.store.TransactionId;
import java.util.concurrent.CompletableFuture;

/**
 * Where committed messages go: the broker's router. The message is routed during the call; the future completes
 * once every store write it caused is durable (see {@code MqttBroker.publish}).
 */
@FunctionalInterface
public interface MessageSink {

    CompletableFuture<Void> publish(ApplicationMessage message);

    /**
     * Routes message {@code seq} of the prepared record of {@code xid}, striking it from the record in the same
     * durable write (see {@code ExactlyOnceEnqueue}); a sink without a durable record just publishes.
     */
    default CompletableFuture<Void> publishPrepared(ApplicationMessage message, TransactionId xid, int seq) {
        return publish(message);
    }

    /** The broker's router. */
    static MessageSink of(MqttBroker broker) {
        return new MessageSink() {
            @Override
            public CompletableFuture<Void> publish(ApplicationMessage message) {
                return broker.publish(message);
            }

            @Override
            public CompletableFuture<Void> publishPrepared(ApplicationMessage message, TransactionId xid, int seq) {
                return broker.publishPrepared(message, xid, seq);
            }
        };
    }
}
