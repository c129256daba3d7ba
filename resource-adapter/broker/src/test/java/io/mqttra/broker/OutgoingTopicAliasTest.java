package io.mqttra.broker;

import static io.mqttra.broker.PubSubTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.mqttra.broker.config.BrokerConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;

/** Topic aliases on the PUBLISHes the broker sends (MQTT 5.0 section 3.3.2.3.4), seen on the wire and by clients. */
class OutgoingTopicAliasTest extends BrokerTestSupport {

    private static final String LONG_TOPIC = "building-7/floor-3/room-12/sensors/temperature";

    @Override
    protected BrokerConfig.Builder config() {
        return super.config().outgoingTopicAliasMaximum(8);
    }

    @Test
    void repeatedTopic_travelsOnceThenAsAliasOnly_soThePacketShrinks() throws Exception {
        RawClient sub = subscribedRawClient("raw-alias", 5);
        Mqtt5BlockingClient pub = connectedPublisher();
        pub.publishWith().topic(LONG_TOPIC).payload(bytes("21.5")).send();
        pub.publishWith().topic(LONG_TOPIC).payload(bytes("21.6")).send();

        Publish first = Publish.parse(sub.readPacket());
        Publish second = Publish.parse(sub.readPacket());
        assertThat(first.topic()).isEqualTo(LONG_TOPIC);
        assertThat(first.alias()).isEqualTo(1); // never 0 [MQTT-3.3.2-8]
        assertThat(second.topic()).isEmpty();
        assertThat(second.alias()).isEqualTo(1);
        assertThat(second.payload()).isEqualTo("21.6");
        assertThat(second.length()).isEqualTo(first.length() - LONG_TOPIC.length());
    }

    @Test
    void neverMoreAliasesThanTheClientAllows_leastRecentlyUsedIsReassigned_MQTT_3_1_2_26_MQTT_3_3_2_11()
            throws Exception {
        RawClient sub = subscribedRawClient("raw-alias-max", 2);
        Mqtt5BlockingClient pub = connectedPublisher();
        String[] topics = {"dev/aaaa", "dev/bbbb", "dev/cccc", "dev/aaaa", "dev/cccc"};
        for (String t : topics) {
            pub.publishWith().topic(t).payload(bytes(t)).send();
        }
        // What the client's alias table holds after each packet; every PUBLISH must resolve through it.
        String[] table = new String[3];
        List<Integer> aliases = new ArrayList<>();
        for (String expected : topics) {
            Publish p = Publish.parse(sub.readPacket());
            aliases.add(p.alias());
            assertThat(p.alias()).isBetween(1, 2);
            if (!p.topic().isEmpty()) {
                table[p.alias()] = p.topic();
            }
            assertThat(table[p.alias()]).isEqualTo(expected);
            assertThat(p.payload()).isEqualTo(expected);
        }
        // aaaa=1, bbbb=2, cccc takes 1 (aaaa least recently used), aaaa takes 2, cccc by its alias alone
        assertThat(aliases).containsExactly(1, 2, 1, 2, 1);
    }

    @Test
    void clientWithoutTopicAliasMaximum_getsNoAlias_MQTT_3_1_2_27() throws Exception {
        RawClient sub = subscribedRawClient("raw-no-alias", 0);
        Mqtt5BlockingClient pub = connectedPublisher();
        pub.publishWith().topic(LONG_TOPIC).payload(bytes("1")).send();
        pub.publishWith().topic(LONG_TOPIC).payload(bytes("2")).send();
        for (int i = 0; i < 2; i++) {
            Publish p = Publish.parse(sub.readPacket());
            assertThat(p.topic()).isEqualTo(LONG_TOPIC);
            assertThat(p.alias()).isZero();
        }
    }

    @Test
    void aliasesDoNotCarryOverToTheNextConnection_MQTT_3_3_2_7() throws Exception {
        Mqtt5BlockingClient pub = connectedPublisher();
        for (int connection = 0; connection < 2; connection++) {
            // Same client id, session kept: only the network connection is new.
            RawClient sub = raw();
            sub.timeout(5000);
            // Session Expiry Interval 300 s, Topic Alias Maximum 4
            sub.send(RawClient.connect5("raw-reconnect", false, 60, new byte[] {0x11, 0, 0, 1, 0x2C, 0x22, 0, 4}));
            assertThat(sub.readPacket()[0]).isEqualTo((byte) 0x20);
            sub.send(RawClient.subscribe5(1, LONG_TOPIC, 0));
            assertThat(sub.readPacket()[0]).isEqualTo((byte) 0x90);
            pub.publishWith().topic(LONG_TOPIC).payload(bytes("a")).send();
            pub.publishWith().topic(LONG_TOPIC).payload(bytes("b")).send();
            Publish first = Publish.parse(sub.readPacket());
            assertThat(first.topic())
                    .as("first PUBLISH on connection %d", connection)
                    .isEqualTo(LONG_TOPIC);
            assertThat(Publish.parse(sub.readPacket()).topic()).isEmpty();
            sub.close();
        }
    }

    @Test
    void hiveMqClient_acceptingAliases_seesEveryTopicRight() throws Exception {
        Mqtt5BlockingClient sub = v5("hive-alias");
        sub.connectWith()
                .restrictions()
                .topicAliasMaximum(3)
                .applyRestrictions()
                .send();
        Mqtt5BlockingClient pub = connectedPublisher();
        try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith()
                    .topicFilter("fleet/#")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send();
            List<String> sent = fleetTopics(200);
            for (String t : sent) {
                pub.publishWith()
                        .topic(t)
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .payload(bytes(t))
                        .send();
            }
            for (String t : sent) {
                Mqtt5Publish p = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
                assertThat(p.getTopic().toString()).isEqualTo(t);
                assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8))
                        .isEqualTo(t);
            }
        }
    }

    @Test
    void pahoV5Client_acceptingAliases_seesEveryTopicRight() throws Exception {
        var sub = new org.eclipse.paho.mqttv5.client.MqttClient(
                "tcp://127.0.0.1:" + port, "paho-alias", new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setTopicAliasMaximum(3);
        sub.connect(options);
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        try {
            sub.subscribe(
                    new MqttSubscription[] {new MqttSubscription("fleet/#", 1)},
                    new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {
                        (topic, m) -> got.add(topic + " " + new String(m.getPayload(), StandardCharsets.UTF_8))
                    });
            Mqtt5BlockingClient pub = connectedPublisher();
            List<String> sent = fleetTopics(200);
            for (String t : sent) {
                pub.publishWith()
                        .topic(t)
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .payload(bytes(t))
                        .send();
            }
            for (String t : sent) {
                assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo(t + " " + t);
            }
        } finally {
            sub.disconnect();
            sub.close();
        }
    }

    /** Five topics over and over, more than the three aliases the clients allow: aliases are reassigned. */
    private static List<String> fleetTopics(int n) {
        List<String> topics = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            topics.add("fleet/truck-" + (i * 7 % 5) + "/position");
        }
        return topics;
    }

    private Mqtt5BlockingClient connectedPublisher() {
        Mqtt5BlockingClient pub = v5("alias-pub");
        pub.connect();
        return pub;
    }

    /** A raw MQTT 5 subscriber on '#' that announces {@code aliasMaximum} (0: the property is left out). */
    private RawClient subscribedRawClient(String clientId, int aliasMaximum) throws Exception {
        RawClient sub = raw();
        sub.timeout(5000);
        sub.send(RawClient.connect5(
                clientId, true, 60, aliasMaximum == 0 ? new byte[0] : RawClient.twoByteProperty(0x22, aliasMaximum)));
        assertThat(sub.readPacket()[0]).isEqualTo((byte) 0x20);
        sub.send(RawClient.subscribe5(1, "#", 0));
        assertThat(sub.readPacket()[0]).isEqualTo((byte) 0x90);
        return sub;
    }

    /** The parts of a QoS 0 MQTT 5 PUBLISH this test looks at; alias 0 when it has none. */
    private record Publish(String topic, int alias, String payload, int length) {

        static Publish parse(byte[] packet) {
            assertThat(packet).as("a PUBLISH").isNotNull();
            assertThat(packet[0] & 0xF0).isEqualTo(0x30);
            int i = 1;
            while ((packet[i] & 0x80) != 0) {
                i++;
            }
            i++;
            int topicLength = ((packet[i] & 0xFF) << 8) | (packet[i + 1] & 0xFF);
            String topic = new String(packet, i + 2, topicLength, StandardCharsets.UTF_8);
            i += 2 + topicLength;
            int propertiesLength = 0;
            int shift = 0;
            int b;
            do {
                b = packet[i++] & 0xFF;
                propertiesLength |= (b & 0x7F) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            int end = i + propertiesLength;
            int alias = 0;
            while (i < end) {
                int id = packet[i] & 0xFF;
                assertThat(id)
                        .as("only a topic alias is expected among the properties")
                        .isEqualTo(0x23);
                alias = ((packet[i + 1] & 0xFF) << 8) | (packet[i + 2] & 0xFF);
                i += 3;
            }
            return new Publish(
                    topic, alias, new String(packet, end, packet.length - end, StandardCharsets.UTF_8), packet.length);
        }
    }
}
