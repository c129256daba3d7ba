package io.mqttra.broker;

import static io.mqttra.broker.PubSubTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The client's Maximum Packet Size (MQTT 5.0 section 3.1.2.11.4): the broker never sends a larger packet and
 * discards such a message for that client [MQTT-3.1.2-25], and sends every packet that fits, to the byte.
 */
class MaximumPacketSizeTest extends BrokerTestSupport {

    /** A topic as long as the ones interoperability suites use, with a prefix per test run. */
    private static final String TOPIC = "client_test5/TopicA";

    @Test
    void smallLimit_messageThatFitsArrives_largerOneIsDiscarded_MQTT_3_1_2_25() throws Exception {
        Mqtt5BlockingClient small = MqttClient.builder()
                .useMqttVersion5()
                .identifier("limit-64")
                .serverHost("127.0.0.1")
                .serverPort(port)
                .buildBlocking();
        small.connectWith()
                .cleanStart(true)
                .restrictions()
                .maximumPacketSize(64)
                .applyRestrictions()
                .send();
        try (var publishes = small.publishes(MqttGlobalPublishFilter.ALL)) {
            small.subscribeWith().topicFilter(TOPIC).qos(MqttQos.EXACTLY_ONCE).send();
            // 32 bytes of payload: a PUBLISH of 56 bytes (59 with a topic alias), within the 64
            small.publishWith().topic(TOPIC).payload(new byte[32]).send();
            assertThat(publishes.receive(5, TimeUnit.SECONDS))
                    .as("the packet that fits")
                    .isPresent();
            small.publishWith()
                    .topic(TOPIC)
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new byte[64])
                    .send();
            assertThat(publishes.receive(1, TimeUnit.SECONDS))
                    .as("the packet that does not fit")
                    .isEmpty();
            // discarded as if sent: the connection and the flow go on
            small.publishWith()
                    .topic(TOPIC)
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new byte[8])
                    .send();
            assertThat(publishes.receive(5, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes())
                    .hasSize(8);
        } finally {
            small.disconnect();
        }
    }

    @Test
    void packetOfExactlyTheMaximumIsSent_oneByteMoreIsNot_withEveryKindOfProperty_MQTT_3_1_2_25() throws Exception {
        Mqtt5BlockingClient pub = v5("size-pub");
        pub.connect();
        // The size of the PUBLISH as the broker builds it, measured on a client without a limit.
        RawClient probe = subscriber("size-probe", 0, 0);
        publishWithProperties(pub, 100);
        int base = probe.readPacket().length;
        // a Remaining Length of two bytes in all the packets below, so that a payload byte is a packet byte
        assertThat(base).isBetween(131, 16_000);
        int limit = base + 100;
        RawClient limited = subscriber("size-limited", limit, 0);
        publishWithProperties(pub, 200);
        publishWithProperties(pub, 201);
        publishWithProperties(pub, 50);
        assertThat(limited.readPacket())
                .as("the PUBLISH of exactly the maximum size")
                .hasSize(limit);
        assertThat(limited.readPacket())
                .as("the one a byte too large is skipped, the next one comes")
                .hasSize(base - 50);
        assertThat(limited.silentFor(300)).isTrue();
    }

    @Test
    void newTopicAliasThatWouldPushAPacketOverTheMaximum_packetGoesWithoutAlias_MQTT_3_1_2_25() throws Exception {
        Mqtt5BlockingClient pub = v5("alias-size-pub");
        pub.connect();
        RawClient probe = subscriber("alias-size-probe", 0, 0); // no aliases: the size without one
        pub.publishWith()
                .topic(TOPIC)
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(new byte[40])
                .send();
        int exact = probe.readPacket().length;
        RawClient limited = subscriber("alias-size-limited", exact, 4);
        pub.publishWith()
                .topic(TOPIC)
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(new byte[40])
                .send();
        byte[] first = limited.readPacket();
        assertThat(first)
                .as("sent with its topic name and no alias, which would have cost three bytes")
                .hasSize(exact);
        // a smaller one on the same topic has room for the alias, and then travels as the alias only
        pub.publishWith()
                .topic(TOPIC)
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(new byte[8])
                .send();
        pub.publishWith()
                .topic(TOPIC)
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(new byte[8])
                .send();
        byte[] second = limited.readPacket();
        byte[] third = limited.readPacket();
        assertThat(second).hasSize(exact - 32 + 3);
        assertThat(third).hasSize(exact - 32 + 3 - TOPIC.length());
    }

    @Test
    void discardedPacket_takesNoTopicAlias_soTheClientsMappingStaysRight() throws Exception {
        Mqtt5BlockingClient pub = v5("alias-drop-pub");
        pub.connect();
        RawClient sub = raw();
        sub.send(RawClient.connect5(
                "alias-drop",
                true,
                60,
                concat(RawClient.fourByteProperty(0x27, 100), RawClient.twoByteProperty(0x22, 1))));
        assertThat(sub.readPacket()[0]).isEqualTo((byte) 0x20);
        sub.send(RawClient.subscribe5(1, "alias/#", 0));
        assertThat(sub.readPacket()[0]).isEqualTo((byte) 0x90);
        pub.publishWith().topic("alias/first").payload(bytes("1")).send();
        assertThat(topicOf(sub.readPacket())).isEqualTo("alias/first"); // and alias 1 for it
        pub.publishWith().topic("alias/second").payload(new byte[200]).send(); // too large: discarded
        pub.publishWith().topic("alias/second").payload(bytes("2")).send();
        // alias 1 goes to the second topic only with a PUBLISH that carries the name (MQTT 5.0 section 3.3.2.3.4)
        assertThat(topicOf(sub.readPacket())).isEqualTo("alias/second");
        pub.publishWith().topic("alias/first").payload(bytes("3")).send();
        assertThat(topicOf(sub.readPacket())).isEqualTo("alias/first");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    /** The topic name field of a QoS 0 PUBLISH with a one-byte Remaining Length (empty when it travels as an alias). */
    private static String topicOf(byte[] publish) {
        assertThat(publish[0] & 0xF0).isEqualTo(0x30);
        int length = ((publish[2] & 0xFF) << 8) | (publish[3] & 0xFF);
        return new String(publish, 4, length, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void disconnectByTheBroker_leavesItsReasonStringOutWhenItWouldNotFit_MQTT_3_14_2_3() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect5("tiny-limit", true, 60, RawClient.fourByteProperty(0x27, 16)));
            assertThat(r.readPacket()[0]).isEqualTo((byte) 0x20);
            r.send(RawClient.publish5(0, "t", 0, RawClient.twoByteProperty(0x23, 0), bytes("x"))); // alias 0
            // DISCONNECT 0x94 Topic Alias invalid, without the reason string that would make it larger than 16 bytes
            assertThat(r.readPacket()).containsExactly(0xE0, 2, 0x94, 0);
        }
        try (RawClient r = raw()) {
            r.send(RawClient.connect5("no-limit", true, 60, new byte[0]));
            assertThat(r.readPacket()[0]).isEqualTo((byte) 0x20);
            r.send(RawClient.publish5(0, "t", 0, RawClient.twoByteProperty(0x23, 0), bytes("x")));
            byte[] disconnect = r.readPacket();
            assertThat(disconnect[2]).isEqualTo((byte) 0x94);
            assertThat(disconnect.length).as("with the reason string").isGreaterThan(16);
        }
    }

    private static void publishWithProperties(Mqtt5BlockingClient pub, int payloadLength) {
        byte[] text = new byte[payloadLength];
        java.util.Arrays.fill(text, (byte) 'x');
        pub.publishWith()
                .topic(TOPIC)
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(text)
                .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                .messageExpiryInterval(3600)
                .contentType("application/octet-stream")
                .responseTopic("client_test5/reply/é")
                .correlationData(bytes("corr-1"))
                .userProperties()
                .add("a", "2")
                .add("c", "3")
                .applyUserProperties()
                .send();
    }

    /**
     * A raw MQTT 5 client subscribed to {@link #TOPIC} at QoS 1 with Subscription Identifier 300 (two bytes), with
     * the given Maximum Packet Size and Topic Alias Maximum (0: the property is left out). It does not acknowledge:
     * its Receive Maximum (65,535) leaves room.
     */
    private RawClient subscriber(String clientId, int maximumPacketSize, int topicAliasMaximum) throws Exception {
        ByteArrayOutputStream properties = new ByteArrayOutputStream();
        if (maximumPacketSize > 0) {
            properties.writeBytes(RawClient.fourByteProperty(0x27, maximumPacketSize));
        }
        if (topicAliasMaximum > 0) {
            properties.writeBytes(RawClient.twoByteProperty(0x22, topicAliasMaximum));
        }
        RawClient r = raw();
        r.send(RawClient.connect5(clientId, true, 60, properties.toByteArray()));
        assertThat(r.readPacket()[0]).isEqualTo((byte) 0x20);
        r.send(RawClient.subscribe5(1, TOPIC, 1, 300));
        assertThat(r.readPacket()[0]).isEqualTo((byte) 0x90);
        return r;
    }
}
