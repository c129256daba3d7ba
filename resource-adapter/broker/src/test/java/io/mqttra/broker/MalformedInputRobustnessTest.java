package io.mqttra.broker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.mqttra.broker.config.BrokerConfig;
import java.io.ByteArrayOutputStream;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input from one client, sent as raw bytes: each test asserts the reaction the standard prescribes and
 * that a well-behaved client connected at the same time keeps working.
 *
 * <p>MQTT 3.1.1 [MQTT-4.8.0-1]: a protocol violation closes the network connection. MQTT 5.0
 * [MQTT-4.13.1-1]: a malformed packet or protocol error closes it, after a DISCONNECT with the reason code
 * where one is given (0x81 Malformed Packet, 0x95 Packet too large, ...).
 */
class MalformedInputRobustnessTest extends BrokerTestSupport {

    private static final int MAX_PACKET = 4096;

    private Mqtt5BlockingClient bystander;
    private Mqtt5BlockingClient.Mqtt5Publishes bystanderInbox;

    @Override
    protected BrokerConfig.Builder config() {
        // A short connect timeout keeps the slow-client tests short; 2 s leaves the bystander time on a busy machine.
        return super.config().maxPacketSize(MAX_PACKET).connectTimeoutSeconds(2);
    }

    /** The HiveMQ client's first connect loads many classes: do it once before the short connect timeouts apply. */
    @BeforeAll
    static void warmUpClient() {
        try (MqttBroker warm =
                new MqttBroker(BrokerConfig.builder().port(0).ioThreads(1).build())) {
            warm.start();
            var c = com.hivemq.client.mqtt.MqttClient.builder()
                    .useMqttVersion5()
                    .identifier("warm-up")
                    .serverHost("127.0.0.1")
                    .serverPort(warm.port())
                    .buildBlocking();
            c.connect();
            c.disconnect();
        }
    }

    @BeforeEach
    void connectBystander() {
        bystander = v5("bystander");
        bystander.connect();
        bystanderInbox = bystander.publishes(MqttGlobalPublishFilter.ALL);
        bystander
                .subscribeWith()
                .topicFilter("bystander/#")
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();
    }

    @AfterEach
    void closeInbox() {
        if (bystanderInbox != null) {
            bystanderInbox.close();
        }
    }

    private void assertBystanderStillWorks() throws InterruptedException {
        String payload = "alive-" + System.nanoTime();
        bystander
                .publishWith()
                .topic("bystander/check")
                .payload(payload.getBytes(UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();
        Optional<Mqtt5Publish> got = bystanderInbox.receive(5, TimeUnit.SECONDS);
        assertThat(got).as("bystander's own message comes back").isPresent();
        assertThat(new String(got.get().getPayloadAsBytes(), UTF_8)).isEqualTo(payload);
    }

    private RawClient connected311(String clientId) throws Exception {
        RawClient c = raw();
        c.send(RawClient.connect311(clientId, true, 60));
        assertThat(c.readPacket()).containsExactly(0x20, 0x02, 0x00, 0x00);
        return c;
    }

    private RawClient connected5(String clientId) throws Exception {
        RawClient c = raw();
        c.send(RawClient.connect("MQTT", 5, 0x02, 60, clientId));
        byte[] connack = c.readPacket();
        assertThat(connack).isNotNull();
        assertThat(connack[0] & 0xFF).isEqualTo(0x20);
        assertThat(connack[3]).as("CONNACK reason code").isEqualTo((byte) 0x00);
        return c;
    }

    /** MQTT 5: the next packet is DISCONNECT with this reason code, then the connection ends. */
    private static void assertDisconnectedWith(RawClient c, int reasonCode) throws Exception {
        byte[] p = c.readPacket();
        assertThat(p).as("DISCONNECT before the close").isNotNull();
        assertThat(p[0] & 0xFF).isEqualTo(0xE0);
        assertThat(p[2] & 0xFF).as("DISCONNECT reason code").isEqualTo(reasonCode);
        assertThat(c.closedByBroker()).isTrue();
    }

    // ---------------------------------------------------------------- remaining length

    @Test
    void remainingLengthWithAFifthByte_mqtt311_closes_MQTT_4_8_0_1() throws Exception {
        RawClient c = connected311("rl-311");
        c.send(0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00);
        assertThat(c.closedByBroker()).isTrue();
        assertBystanderStillWorks();
    }

    @Test
    void remainingLengthWithAFifthByte_mqtt5_disconnect0x81_MQTT_4_13_1_1() throws Exception {
        RawClient c = connected5("rl-5");
        c.send(0x30, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00);
        assertDisconnectedWith(c, 0x81);
        assertBystanderStillWorks();
    }

    @Test
    void remainingLengthWithAFifthByte_insteadOfConnect_closes() throws Exception {
        RawClient c = raw();
        c.send(0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F);
        assertThat(c.closedByBroker()).isTrue();
        assertBystanderStillWorks();
    }

    // ---------------------------------------------------------------- reserved flags

    @Test
    void subscribeWithoutReservedFlags0010_closes_MQTT_3_8_1_1_MQTT_2_2_2_2() throws Exception {
        RawClient c = connected311("sub-flags");
        byte[] subscribe = RawClient.subscribe(1, "a/b", 0);
        subscribe[0] = (byte) 0x80; // the reserved bits must be 0010
        c.send(subscribe);
        assertThat(c.closedByBroker()).isTrue();
        assertBystanderStillWorks();
    }

    @Test
    void publishWithQos3_closes_MQTT_3_3_1_4() throws Exception {
        RawClient c = connected311("qos3");
        byte[] publish = RawClient.publish(2, false, "a/b", 1, "x".getBytes(UTF_8));
        publish[0] = (byte) 0x36; // both QoS bits set
        c.send(publish);
        assertThat(c.closedByBroker()).isTrue();
        assertBystanderStillWorks();
    }

    @Test
    void publishWithQos3_mqtt5_disconnect0x81_MQTT_3_3_1_4() throws Exception {
        RawClient c = connected5("qos3-5");
        byte[] body = {0, 3, 'a', '/', 'b', 0, 1, 0, 'x'}; // topic, packet id, no properties, payload
        c.send(RawClient.packet(0x36, body));
        assertDisconnectedWith(c, 0x81);
        assertBystanderStillWorks();
    }

    // ---------------------------------------------------------------- UTF-8 strings

    @Test
    void illFormedUtf8InTopic_closes_MQTT_1_5_3_1() throws Exception {
        RawClient c = connected311("utf8-topic");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0, 5, 'b', 'y', '/', (byte) 0xC3, (byte) 0x28}); // C3 28: broken 2-byte sequence
        body.writeBytes("payload".getBytes(UTF_8));
        c.send(RawClient.packet(0x30, body.toByteArray()));
        assertThat(c.closedByBroker()).isTrue();
        assertBystanderStillWorks();
    }

    @Test
    void encodedSurrogateInClientId_refusesTheConnection_MQTT_1_5_3_1() throws Exception {
        RawClient c = raw();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        RawClient.writeString(body, "MQTT");
        body.write(4);
        body.write(0x02);
        body.writeBytes(new byte[] {0, 60});
        body.writeBytes(new byte[] {0, 4, 'i', (byte) 0xED, (byte) 0xA0, (byte) 0x80}); // U+D800 encoded
        c.send(RawClient.packet(0x10, body.toByteArray()));
        assertRefusedOrClosed(c);
        assertBystanderStillWorks();
    }

    @Test
    void nulCharacterInTopic_closes_MQTT_1_5_3_2() throws Exception {
        RawClient c = connected311("nul-topic");
        c.send(RawClient.publish(0, false, "bystander/a\u0000b", 0, "x".getBytes(UTF_8)));
        assertThat(c.closedByBroker()).isTrue();
        assertThat(bystanderInbox.receive(300, TimeUnit.MILLISECONDS))
                .as("nothing routed")
                .isEmpty();
        assertBystanderStillWorks();
    }

    @Test
    void nulCharacterInClientId_refusesTheConnection_MQTT_1_5_3_2() throws Exception {
        RawClient c = raw();
        c.send(RawClient.connect311("nul\u0000id", true, 60));
        assertRefusedOrClosed(c);
        assertBystanderStillWorks();
    }

    @Test
    void nulCharacterInSubscribeFilter_mqtt5_isRefused_MQTT_1_5_4_2() throws Exception {
        RawClient c = connected5("nul-filter");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0, 9, 0}); // packet id 9, no properties
        RawClient.writeString(body, "a/\u0000");
        body.write(0);
        c.send(RawClient.packet(0x82, body.toByteArray()));
        byte[] reply = c.readPacket();
        // A malformed string closes the connection (DISCONNECT 0x81); at least it must not be subscribed.
        if (reply != null && (reply[0] & 0xFF) == 0x90) {
            assertThat(reply[reply.length - 1] & 0xFF).as("SUBACK reason code").isGreaterThanOrEqualTo(0x80);
        } else if (reply != null) {
            assertThat(reply[0] & 0xFF).isEqualTo(0xE0);
        }
        assertBystanderStillWorks();
    }

    /** A refused CONNECT: CONNACK with a failure code and close, or close without CONNACK (malformed). */
    private static void assertRefusedOrClosed(RawClient c) throws Exception {
        byte[] p = c.readPacket();
        if (p != null) {
            assertThat(p[0] & 0xFF).as("only a CONNACK may come back").isEqualTo(0x20);
            assertThat(p[p.length - 1] & 0xFF).as("CONNACK return code").isNotZero();
        }
        assertThat(c.closedByBroker()).isTrue();
    }

    // ---------------------------------------------------------------- size

    @Test
    void packetLargerThanMaximum_mqtt311_closes() throws Exception {
        RawClient c = connected311("big-311");
        c.send(RawClient.publish(0, false, "bystander/big", 0, new byte[MAX_PACKET + 100]));
        assertThat(c.closedByBroker()).isTrue();
        assertThat(bystanderInbox.receive(300, TimeUnit.MILLISECONDS))
                .as("nothing routed")
                .isEmpty();
        assertBystanderStillWorks();
    }

    @Test
    void packetLargerThanMaximum_mqtt5_disconnect0x95_MQTT_3_2_2_15() throws Exception {
        RawClient c = connected5("big-5");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        RawClient.writeString(body, "bystander/big");
        body.write(0); // no properties
        body.writeBytes(new byte[MAX_PACKET + 100]);
        c.send(RawClient.packet(0x30, body.toByteArray()));
        assertDisconnectedWith(c, 0x95);
        assertBystanderStillWorks();
    }

    @Test
    void announcedHugePacket_isRefusedBeforeItArrives() throws Exception {
        RawClient c = connected311("huge-header");
        // Remaining length 268,435,455 announced; only the header is sent: no 256 MB buffer may be allocated.
        c.send(0x30, 0xFF, 0xFF, 0xFF, 0x7F, 0x00, 0x01, 'a');
        assertThat(c.closedByBroker()).isTrue();
        assertBystanderStillWorks();
    }

    // ---------------------------------------------------------------- slow or incomplete clients

    @Test
    void connectThatNeverCompletes_isClosedByTheConnectTimeout() throws Exception {
        RawClient c = raw();
        byte[] connect = RawClient.connect311("never", true, 60);
        c.send(java.util.Arrays.copyOf(connect, connect.length - 2));
        long start = System.nanoTime();
        assertThat(c.closedByBroker()).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
        assertBystanderStillWorks();
    }

    @Test
    void slowlorisTricklingAConnect_isClosedByTheConnectTimeout() throws Exception {
        RawClient c = raw();
        c.timeout(200);
        byte[] connect = RawClient.connect311("slowloris-with-a-long-client-identifier", true, 60);
        long start = System.nanoTime();
        boolean closed = false;
        for (int i = 0; i < connect.length - 1 && !closed; i++) {
            try {
                c.send(connect[i] & 0xFF); // one byte every 200 ms: each one arrives well within any idle timer
            } catch (java.io.IOException e) {
                closed = true;
                break;
            }
            closed = c.closedByBroker();
        }
        assertThat(closed).as("closed before the CONNECT was complete").isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(6000);
        assertBystanderStillWorks();
    }

    @Test
    void partialPacketThenSilence_afterConnect_isClosedByKeepAlive_MQTT_3_1_2_24() throws Exception {
        RawClient c = raw();
        c.send(RawClient.connect311("half-packet", true, 1));
        assertThat(c.readPacket()).containsExactly(0x20, 0x02, 0x00, 0x00);
        byte[] publish = RawClient.publish(0, false, "bystander/half", 0, new byte[100]);
        c.send(java.util.Arrays.copyOf(publish, 20)); // then nothing: 1.5 x keep alive later the broker closes
        long start = System.nanoTime();
        assertThat(c.closedByBroker()).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(4000);
        assertThat(bystanderInbox.receive(100, TimeUnit.MILLISECONDS))
                .as("nothing routed")
                .isEmpty();
        assertBystanderStillWorks();
    }

    @Test
    void socketThatSendsNothing_isClosedByTheConnectTimeout() throws Exception {
        RawClient c = raw();
        assertThat(c.closedByBroker()).isTrue();
        assertBystanderStillWorks();
    }
}
