package io.mqttra.broker.protocol;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttProperty;
import io.netty.handler.codec.mqtt.MqttProperties.StringPair;
import java.util.List;

/**
 * The exact size on the wire of an MQTT 5 packet the broker is about to send, to hold it against the client's
 * Maximum Packet Size (MQTT 5.0 [MQTT-3.1.2-24] [MQTT-3.1.2-25]). Exact, not an upper bound: a bound would drop messages that
 * fit, which the client then never gets.
 */
final class PacketSize {

    private PacketSize() {}

    /** Encoded length of a Topic Alias property: identifier and two-byte value. */
    static final int TOPIC_ALIAS = 3;

    /**
     * The largest packet MQTT can encode (a four-byte Remaining Length and its fixed header), also the Maximum
     * Packet Size a client that announces none is taken to have.
     */
    static final long PROTOCOL_MAXIMUM = 268_435_460L;

    /** A PUBLISH: fixed header, topic name, packet id (QoS 1/2), properties of the given length, payload. */
    static long publish(String topic, boolean hasPacketId, long props, int payloadLength) {
        long remaining = utf8(topic) + (hasPacketId ? 2 : 0) + varIntSize(props) + props + payloadLength;
        return 1 + varIntSize(remaining) + remaining;
    }

    /** A DISCONNECT with a reason code and these properties. */
    static long disconnect(MqttProperties properties) {
        long props = properties(properties);
        long remaining = 1 + varIntSize(props) + props;
        return 1 + varIntSize(remaining) + remaining;
    }

    /** The encoded length of a property set, without the length field in front of it. */
    static long properties(MqttProperties properties) {
        long n = 0;
        for (MqttProperty<?> p : properties.listAll()) {
            int id = p.propertyId();
            Object v = p.value();
            if (v instanceof List<?> pairs) { // the user properties, gathered by Netty into one entry
                for (Object pair : pairs) {
                    StringPair sp = (StringPair) pair;
                    n += varIntSize(id) + utf8(sp.key) + utf8(sp.value);
                }
            } else if (v instanceof StringPair sp) {
                n += varIntSize(id) + utf8(sp.key) + utf8(sp.value);
            } else if (v instanceof String s) {
                n += varIntSize(id) + utf8(s);
            } else if (v instanceof byte[] b) {
                n += varIntSize(id) + 2 + b.length;
            } else {
                n += varIntSize(id) + integerWidth(id, (Integer) v);
            }
        }
        return n;
    }

    /** Width of an integer property by its type in MQTT 5.0 section 2.2.2.2. */
    private static int integerWidth(int id, int value) {
        return switch (id) {
            case MqttProperties.PAYLOAD_FORMAT_INDICATOR,
                    MqttProperties.REQUEST_PROBLEM_INFORMATION,
                    MqttProperties.REQUEST_RESPONSE_INFORMATION,
                    MqttProperties.MAXIMUM_QOS,
                    MqttProperties.RETAIN_AVAILABLE,
                    MqttProperties.WILDCARD_SUBSCRIPTION_AVAILABLE,
                    MqttProperties.SUBSCRIPTION_IDENTIFIER_AVAILABLE,
                    MqttProperties.SHARED_SUBSCRIPTION_AVAILABLE -> 1;
            case MqttProperties.SERVER_KEEP_ALIVE,
                    MqttProperties.RECEIVE_MAXIMUM,
                    MqttProperties.TOPIC_ALIAS_MAXIMUM,
                    MqttProperties.TOPIC_ALIAS -> 2;
            case MqttProperties.SUBSCRIPTION_IDENTIFIER -> varIntSize(value);
            default -> 4; // message expiry, session expiry, will delay, maximum packet size
        };
    }

    private static long utf8(String s) {
        return 2 + ByteBufUtil.utf8Bytes(s);
    }

    static int varIntSize(long value) {
        return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
    }
}
