package io.mqttra.ra.outbound;

import io.mqttra.api.MqttException;
import io.mqttra.api.PublishProperties;
import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.MqttBroker;
import io.mqttra.ra.Topics;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes an application's message through the broker and waits until the broker has routed it, so that
 * {@code publish} returning means the message is on its way to every matching session; every failure becomes an
 * {@link MqttException} that names the topic.
 */
final class BrokerPublisher {

    private final long timeoutMillis;

    BrokerPublisher(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    /** Checks what the application passed; the message as the broker routes it. */
    static ApplicationMessage message(
            String topic, byte[] payload, int qos, boolean retain, PublishProperties properties) {
        String problem = Topics.topicNameProblem(topic);
        if (problem != null) {
            throw new MqttException("Cannot publish to topic '" + topic + "': " + problem);
        }
        if (qos < 0 || qos > 2) {
            throw new MqttException("Cannot publish to topic '" + topic + "': QoS must be 0, 1 or 2, not " + qos);
        }
        return new ApplicationMessage(topic, payload, qos, retain, properties);
    }

    void publish(MqttBroker broker, ApplicationMessage message) {
        CompletableFuture<Void> routed;
        try {
            routed = broker.publish(message);
        } catch (RuntimeException e) {
            throw new MqttException(
                    "The broker refused the message to topic '" + message.topic() + "': " + e.getMessage(), e);
        }
        try {
            routed.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new MqttException(
                    "The broker did not confirm the message to topic '" + message.topic() + "' within " + timeoutMillis
                            + " ms",
                    e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new MqttException(
                    "The broker could not take the message to topic '" + message.topic() + "': " + cause.getMessage(),
                    cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MqttException("Interrupted while publishing to topic '" + message.topic() + "'", e);
        }
    }
}
