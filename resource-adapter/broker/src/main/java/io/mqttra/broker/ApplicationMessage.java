package io.mqttra.broker;

import io.mqttra.api.PublishProperties;
import java.util.Objects;

/**
 * An application message as the broker routes it: what a PUBLISH carries, independent of protocol version.
 *
 * @param topic      topic name (validated by the broker before routing)
 * @param payload    payload bytes; never null
 * @param qos        QoS at which it was published
 * @param retain     RETAIN flag as published
 * @param properties MQTT 5 properties (PublishProperties.NONE for 3.1.1)
 */
public record ApplicationMessage(String topic, byte[] payload, int qos, boolean retain, PublishProperties properties) {

    public ApplicationMessage {
        Objects.requireNonNull(topic, "topic");
        payload = payload == null ? new byte[0] : payload;
        properties = properties == null ? PublishProperties.NONE : properties;
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("QoS must be 0, 1 or 2: " + qos);
        }
    }
}
