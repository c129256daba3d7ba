package io.mqttra.ra.tx;

import io.mqttra.broker.ApplicationMessage;
import java.util.concurrent.CompletableFuture;

/**
 * Where committed messages go: the broker's router. The message is routed during the call; the future completes
 * once every store write it caused is durable (see {@code MqttBroker.publish}).
 */
@FunctionalInterface
public interface MessageSink {

    CompletableFuture<Void> publish(ApplicationMessage message);
}
