package io.mqttra.api;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * An MQTT application message as a message-driven bean receives it.
 *
 * @param topic      the topic name it was published to
 * @param payload    the payload bytes (never null; may be empty)
 * @param qos        the QoS at which it was delivered (0, 1 or 2)
 * @param retain     true when it was delivered from the retained store
 * @param dup        true when this is a redelivery
 * @param properties the MQTT 5 publish properties (empty for MQTT 3.1.1 publishers)
 */
public record MqttMessage(
        String topic, byte[] payload, int qos, boolean retain, boolean dup, PublishProperties properties) {

    public MqttMessage {
        Objects.requireNonNull(topic, "topic");
        payload = payload == null ? new byte[0] : payload;
        properties = properties == null ? PublishProperties.NONE : properties;
    }

    /** The payload decoded as UTF-8. */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** Shortcut for the user properties of an MQTT 5 message. */
    public List<PublishProperties.UserProperty> userProperties() {
        return properties.userProperties();
    }

    @Override
    public String toString() {
        return "MqttMessage[topic=" + topic + ", qos=" + qos + ", retain=" + retain + ", dup=" + dup + ", payload="
                + payload.length + " bytes]";
    }
}
