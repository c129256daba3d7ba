package io.mqttra.api;

import java.nio.charset.StandardCharsets;

/**
 * A connection to the broker of this server, used to publish application messages.
 *
 * <p>Inside a JTA transaction the publishes are enlisted with it: they are routed only if it commits.
 */
public interface MqttConnection extends AutoCloseable {

    /**
     * Publishes a message.
     *
     * @param topic   a topic name (no wildcards)
     * @param payload the payload
     * @param qos     0, 1 or 2
     * @param retain  whether the broker keeps it as the topic's retained message
     * @throws MqttException when the topic or QoS is invalid or the broker cannot take the message
     */
    default void publish(String topic, byte[] payload, int qos, boolean retain) {
        publish(topic, payload, qos, retain, PublishProperties.NONE);
    }

    /** Publishes a UTF-8 text payload; see {@link #publish(String, byte[], int, boolean)}. */
    default void publish(String topic, String payload, int qos, boolean retain) {
        publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retain);
    }

    /** Publishes a message with MQTT 5 properties; see {@link #publish(String, byte[], int, boolean)}. */
    void publish(String topic, byte[] payload, int qos, boolean retain, PublishProperties properties);

    /** Returns the connection to the pool; it cannot be used afterwards. */
    @Override
    void close();
}
