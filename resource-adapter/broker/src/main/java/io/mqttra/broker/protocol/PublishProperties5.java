package io.mqttra.broker.protocol;

import io.mqttra.api.PublishProperties;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.BinaryProperty;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.MqttProperty;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import io.netty.handler.codec.mqtt.MqttProperties.UserProperty;
import java.util.List;

/**
 * Converts the application-level properties of a PUBLISH (or will) between Netty's {@link MqttProperties}
 * and {@link PublishProperties}: payload format, message expiry, content type, response topic, correlation
 * data and user properties pass through unchanged [MQTT-3.3.2-4] [MQTT-3.3.2-15] [MQTT-3.3.2-16] [MQTT-3.3.2-17]
 * [MQTT-3.3.2-18] [MQTT-3.3.2-20].
 */
final class PublishProperties5 {

    private PublishProperties5() {}

    static PublishProperties fromMqtt(MqttProperties p) {
        if (p == null || p.isEmpty()) {
            return PublishProperties.NONE;
        }
        PublishProperties.Builder b = PublishProperties.builder();
        boolean any = false;
        MqttProperty<?> pfi = p.getProperty(MqttProperties.PAYLOAD_FORMAT_INDICATOR);
        if (pfi != null) {
            b.payloadUtf8(((Integer) pfi.value()) == 1);
            any = true;
        }
        MqttProperty<?> expiry = p.getProperty(MqttProperties.PUBLICATION_EXPIRY_INTERVAL);
        if (expiry != null) {
            b.messageExpiryInterval(((Integer) expiry.value()) & 0xFFFF_FFFFL);
            any = true;
        }
        MqttProperty<?> contentType = p.getProperty(MqttProperties.CONTENT_TYPE);
        if (contentType != null) {
            b.contentType((String) contentType.value());
            any = true;
        }
        MqttProperty<?> responseTopic = p.getProperty(MqttProperties.RESPONSE_TOPIC);
        if (responseTopic != null) {
            b.responseTopic((String) responseTopic.value());
            any = true;
        }
        MqttProperty<?> correlation = p.getProperty(MqttProperties.CORRELATION_DATA);
        if (correlation != null) {
            b.correlationData((byte[]) correlation.value());
            any = true;
        }
        for (MqttProperty<?> u : p.getProperties(MqttProperties.USER_PROPERTY)) {
            if (u instanceof UserProperty up) {
                b.userProperty(up.value().key, up.value().value);
                any = true;
            }
        }
        return any ? b.build() : PublishProperties.NONE;
    }

    /**
     * Properties for an outgoing PUBLISH: the message's own, the remaining expiry (-1: none) [MQTT-3.3.2-6]
     * and the subscription identifiers of the matching subscriptions [MQTT-3.3.4-3].
     */
    static MqttProperties toMqtt(PublishProperties pp, long remainingExpiry, List<Integer> subscriptionIds) {
        if (pp.isEmpty() && subscriptionIds.isEmpty()) {
            return MqttProperties.NO_PROPERTIES;
        }
        MqttProperties p = new MqttProperties();
        if (pp.payloadUtf8() != null) {
            p.add(new IntegerProperty(MqttProperties.PAYLOAD_FORMAT_INDICATOR, pp.payloadUtf8() ? 1 : 0));
        }
        if (remainingExpiry >= 0) {
            p.add(new IntegerProperty(MqttProperties.PUBLICATION_EXPIRY_INTERVAL, (int) remainingExpiry));
        }
        if (pp.contentType() != null) {
            p.add(new StringProperty(MqttProperties.CONTENT_TYPE, pp.contentType()));
        }
        if (pp.responseTopic() != null) {
            p.add(new StringProperty(MqttProperties.RESPONSE_TOPIC, pp.responseTopic()));
        }
        if (pp.correlationData() != null) {
            p.add(new BinaryProperty(MqttProperties.CORRELATION_DATA, pp.correlationData()));
        }
        for (PublishProperties.UserProperty u : pp.userProperties()) {
            p.add(new UserProperty(u.name(), u.value()));
        }
        for (Integer id : subscriptionIds) {
            p.add(new IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER, id));
        }
        return p;
    }

    static int intProperty(MqttProperties p, int id, int absent) {
        MqttProperty<?> prop = p == null ? null : p.getProperty(id);
        return prop == null ? absent : (Integer) prop.value();
    }

    static long unsignedIntProperty(MqttProperties p, int id, long absent) {
        MqttProperty<?> prop = p == null ? null : p.getProperty(id);
        return prop == null ? absent : ((Integer) prop.value()) & 0xFFFF_FFFFL;
    }

    static String stringProperty(MqttProperties p, int id) {
        MqttProperty<?> prop = p == null ? null : p.getProperty(id);
        return prop == null ? null : (String) prop.value();
    }
}
