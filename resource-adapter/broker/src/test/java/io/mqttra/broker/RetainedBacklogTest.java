package io.mqttra.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.mqttra.api.PublishProperties;
import io.mqttra.broker.config.BrokerConfig;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A new subscriber on '#' gets every retained message [MQTT-3.3.1-6] however many there are: paced by its
 * Receive Maximum at QoS 1 and by the socket at QoS 0, never cut off by the session's queue limit.
 */
class RetainedBacklogTest extends BrokerTestSupport {

    @Override
    protected BrokerConfig.Builder config() {
        // A small queue limit: before, everything beyond window + limit was dropped.
        return super.config().maxQueuedMessages(100);
    }

    @ParameterizedTest(name = "{0} retained messages")
    @ValueSource(ints = {10_000, 50_000})
    void qos1SubscriberWithReceiveMaximum10_getsEveryRetainedMessage(int count) throws Exception {
        retain(count, 1, 16);
        Mqtt5BlockingClient sub = v5("hash-sub");
        // The HiveMQ client closes the connection if the broker exceeds its Receive Maximum [MQTT-3.3.4-9].
        sub.connectWith().restrictions().receiveMaximum(10).applyRestrictions().send();
        Set<String> topics = new HashSet<>();
        try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("#").qos(MqttQos.AT_LEAST_ONCE).send();
            for (int i = 0; i < count; i++) {
                Mqtt5Publish p = publishes
                        .receive(10, TimeUnit.SECONDS)
                        .orElseThrow(() -> new AssertionError("only " + topics.size() + " retained messages arrived"));
                assertThat(p.isRetain()).isTrue();
                assertThat(p.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
                topics.add(p.getTopic().toString());
            }
            assertThat(publishes.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
        }
        assertThat(topics).hasSize(count);
    }

    @Test
    void neverMoreInFlightThanTheReceiveMaximum_restFollowsTheAcknowledgements_MQTT_3_3_4_9() throws Exception {
        int count = 10_000;
        retain(count, 1, 16);
        RawClient sub = raw();
        sub.timeout(10_000);
        sub.send(RawClient.connect5("raw-hash", true, 60, RawClient.twoByteProperty(0x21, 10)));
        assertThat(sub.readPacket()[0]).isEqualTo((byte) 0x20);
        sub.send(RawClient.subscribe5(1, "#", 1));
        assertThat(sub.readPacket()[0]).isEqualTo((byte) 0x90);
        Set<String> topics = new HashSet<>();
        int[] unacked = new int[10];
        for (int i = 0; i < 10; i++) {
            byte[] p = sub.readPacket();
            assertThat(p[0] & 0xF0).isEqualTo(0x30);
            topics.add(topic(p));
            unacked[i] = packetId(p);
        }
        assertThat(sub.silentFor(500))
                .as("an eleventh PUBLISH before any PUBACK")
                .isTrue();
        for (int id : unacked) {
            sub.send(0x40, 2, id >> 8, id & 0xFF);
        }
        int received = 10;
        while (received < count) {
            byte[] p = sub.readPacket();
            assertThat(p).as("after %d messages", received).isNotNull();
            assertThat(p[0] & 0xF0).isEqualTo(0x30);
            topics.add(topic(p));
            int id = packetId(p);
            sub.send(0x40, 2, id >> 8, id & 0xFF);
            received++;
        }
        assertThat(topics).hasSize(count);
        assertThat(broker.metrics().messagesDropped()).isZero();
    }

    @Test
    void qos0SubscriberThatReadsLate_stillGetsEveryRetainedMessage() throws Exception {
        // 10,000 x 1 KiB: far more than the socket buffers hold while the client does not read.
        int count = 10_000;
        retain(count, 0, 1024);
        RawClient sub = raw();
        sub.timeout(10_000);
        sub.send(RawClient.connect5("raw-slow", true, 60, new byte[0]));
        assertThat(sub.readPacket()[0]).isEqualTo((byte) 0x20);
        sub.send(RawClient.subscribe5(1, "#", 0));
        Thread.sleep(1500);
        assertThat(sub.readPacket()[0]).isEqualTo((byte) 0x90);
        Set<String> topics = new HashSet<>();
        for (int i = 0; i < count; i++) {
            byte[] p = sub.readPacket();
            assertThat(p).as("after %d messages", i).isNotNull();
            assertThat(p[0] & 0xF1).as("QoS 0 PUBLISH with RETAIN").isEqualTo(0x31);
            topics.add(topic(p));
        }
        assertThat(topics).hasSize(count);
        assertThat(broker.metrics().messagesDropped()).isZero();
    }

    @Test
    void liveQos0MessagesWaitBehindTheRetainedBacklog() throws Exception {
        int count = 5_000;
        retain(count, 0, 1024);
        RawClient sub = raw();
        sub.timeout(10_000);
        sub.send(RawClient.connect5("raw-order", true, 60, new byte[0]));
        assertThat(sub.readPacket()[0]).isEqualTo((byte) 0x20);
        sub.send(RawClient.subscribe5(1, "#", 0));
        Thread.sleep(500);
        // A newer value of the first retained topic, while the backlog waits for the client to read.
        broker.publish(new ApplicationMessage(
                        "retained/0", "live".getBytes(StandardCharsets.UTF_8), 0, false, PublishProperties.NONE))
                .get(5, TimeUnit.SECONDS);
        assertThat(sub.readPacket()[0]).isEqualTo((byte) 0x90);
        String last = null;
        for (int i = 0; i <= count; i++) {
            byte[] p = sub.readPacket();
            assertThat(p).as("after %d messages", i).isNotNull();
            last = topic(p) + (((p[0] & 1) == 1) ? " retained" : " live");
        }
        assertThat(last).isEqualTo("retained/0 live");
    }

    /** Retained messages on retained/0 .. retained/(n-1), through the broker's own publish. */
    private void retain(int n, int qos, int payloadSize) throws Exception {
        byte[] payload = new byte[payloadSize];
        CompletableFuture<?>[] writes = new CompletableFuture<?>[n];
        for (int i = 0; i < n; i++) {
            writes[i] =
                    broker.publish(new ApplicationMessage("retained/" + i, payload, qos, true, PublishProperties.NONE));
        }
        CompletableFuture.allOf(writes).get(60, TimeUnit.SECONDS);
    }

    private static int headerLength(byte[] p) {
        int i = 1;
        while ((p[i] & 0x80) != 0) {
            i++;
        }
        return i + 1;
    }

    private static String topic(byte[] p) {
        int i = headerLength(p);
        int len = ((p[i] & 0xFF) << 8) | (p[i + 1] & 0xFF);
        return new String(p, i + 2, len, StandardCharsets.UTF_8);
    }

    private static int packetId(byte[] p) {
        int i = headerLength(p);
        int at = i + 2 + (((p[i] & 0xFF) << 8) | (p[i + 1] & 0xFF));
        return ((p[at] & 0xFF) << 8) | (p[at + 1] & 0xFF);
    }
}
