package io.mqttra.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.mqttra.broker.config.BrokerConfig;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A shared-subscription member whose session ends while most of its queue waits in the store only (paged queues,
 * issue #5) hands that queue on to another member of the group, in order and once (MQTT 5.0 section 4.8.2: a message
 * of a shared subscription goes to one member; it is not lost when that member's session ends while others remain).
 */
class SharedQueueHandOverTest extends BrokerTestSupport {

    /** Far more than the read-ahead (256 with maxInflight 8): most of the queue is in the store only. */
    private static final int QUEUED = 2000;

    @Override
    protected BrokerConfig.Builder config() {
        return super.config().maxQueuedMessages(QUEUED).maxInflight(8);
    }

    @Test
    void memberEndsItsSessionWithCleanStart_itsStoredQueueGoesToTheOtherMember() throws Exception {
        queueAllForOfflineMember("leaver", 600);
        AtomicInteger next = new AtomicInteger();
        AtomicReference<String> wrong = new AtomicReference<>();
        Mqtt5AsyncClient stayer = member("stayer", next, wrong);

        // Clean Start ends the old session [MQTT-3.1.2-4]; its messages must reach the remaining member.
        Mqtt5BlockingClient again = v5("leaver");
        assertThat(again.connectWith()
                        .cleanStart(true)
                        .sessionExpiryInterval(0)
                        .send()
                        .isSessionPresent())
                .isFalse();

        awaitAllOnce(next, wrong);
        again.disconnect();
        stayer.disconnect().get(10, TimeUnit.SECONDS);
    }

    /** The leaver's DISCONNECT sets the expiry to 0 (its session ends with the connection) or to a second. */
    @ParameterizedTest
    @ValueSource(longs = {0, 1})
    void memberSessionEnds_afterDisconnect_itsInFlightAndStoredQueueGoToTheOtherMember(long expiryAtDisconnect)
            throws Exception {
        queueAllForOfflineMember("leaver", 600);
        // Back for a moment without acknowledging: the first messages are in flight, a read-ahead on the heap.
        Mqtt5AsyncClient leaver = MqttClient.builder()
                .useMqttVersion5()
                .identifier("leaver")
                .serverHost("127.0.0.1")
                .serverPort(port)
                .buildAsync();
        AtomicInteger inFlight = new AtomicInteger();
        leaver.publishes(MqttGlobalPublishFilter.ALL, p -> inFlight.incrementAndGet(), true);
        leaver.connectWith().cleanStart(false).sessionExpiryInterval(600).send().get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> inFlight.get() == 8);
        AtomicInteger next = new AtomicInteger();
        AtomicReference<String> wrong = new AtomicReference<>();
        Mqtt5AsyncClient stayer = member("stayer", next, wrong);
        // MQTT 5 DISCONNECT may shorten the expiry interval.
        leaver.disconnectWith().sessionExpiryInterval(expiryAtDisconnect).send().get(10, TimeUnit.SECONDS);

        awaitAllOnce(next, wrong);
        stayer.disconnect().get(10, TimeUnit.SECONDS);
    }

    /**
     * The leaver never answers its QoS 2 deliveries with PUBREC; when its session ends with the connection, the eight
     * in flight (maxInflight 8) go to nobody else [MQTT-4.8.2-5], the two still queued go to the other member.
     */
    @Test
    void qos2MessagesInFlightToAnEndingMember_goToNobodyElse_itsQueuedOnesDo_MQTT_4_8_2_5() throws Exception {
        java.util.Queue<Integer> received = new java.util.concurrent.ConcurrentLinkedQueue<>();
        try (RawClient leaver = raw()) {
            leaver.send(
                    RawClient.connect5("leaver", true, 60, new byte[0])); // session expiry 0: ends with the connection
            assertThat(leaver.readPacket()[0]).isEqualTo((byte) 0x20); // CONNACK
            leaver.send(RawClient.subscribe5(1, "$share/workers/jobs/#", 2));
            assertThat(leaver.readPacket()[0]).isEqualTo((byte) 0x90); // SUBACK
            Mqtt5BlockingClient pub = v5("jobs-pub");
            pub.connect();
            for (int i = 0; i < 10; i++) {
                pub.publishWith()
                        .topic("jobs/a")
                        .qos(MqttQos.EXACTLY_ONCE)
                        .payload(ByteBuffer.allocate(4).putInt(i).array())
                        .send();
            }
            pub.disconnect();
            for (int i = 0; i < 8; i++) {
                assertThat(leaver.readPacket()[0] & 0xF0).isEqualTo(0x30); // PUBLISH, left without PUBREC
            }
            Mqtt5AsyncClient stayer = MqttClient.builder()
                    .useMqttVersion5()
                    .identifier("stayer")
                    .serverHost("127.0.0.1")
                    .serverPort(port)
                    .buildAsync();
            stayer.publishes(
                    MqttGlobalPublishFilter.ALL,
                    p -> received.add(ByteBuffer.wrap(p.getPayloadAsBytes()).getInt()));
            stayer.connectWith().cleanStart(true).send().get(10, TimeUnit.SECONDS);
            stayer.subscribeWith()
                    .topicFilter("$share/workers/jobs/#")
                    .qos(MqttQos.EXACTLY_ONCE)
                    .send()
                    .get(10, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 2);
        Thread.sleep(300); // none of the eight follows
        assertThat(received).containsExactly(8, 9);
    }

    /** The leaver is the group's only member while the messages are published: all of them queue for it. */
    private void queueAllForOfflineMember(String clientId, long expirySeconds) throws Exception {
        Mqtt5BlockingClient leaver = v5(clientId);
        leaver.connectWith()
                .cleanStart(true)
                .sessionExpiryInterval(expirySeconds)
                .send();
        leaver.subscribeWith()
                .topicFilter("$share/workers/jobs/#")
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();
        leaver.disconnect();
        Mqtt5AsyncClient pub = MqttClient.builder()
                .useMqttVersion5()
                .identifier("jobs-pub")
                .serverHost("127.0.0.1")
                .serverPort(port)
                .buildAsync();
        pub.connect().get(10, TimeUnit.SECONDS);
        List<CompletableFuture<?>> acks = new ArrayList<>(QUEUED);
        for (int i = 0; i < QUEUED; i++) {
            acks.add(pub.publishWith()
                    .topic("jobs/a")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(ByteBuffer.allocate(4).putInt(i).array())
                    .send());
        }
        CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
        pub.disconnect().get(10, TimeUnit.SECONDS);
        // All of them wait for the offline leaver, most in the store only.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> broker.administration().sessions().stream()
                        .anyMatch(s -> s.clientId().equals(clientId) && s.queued() == QUEUED));
    }

    private Mqtt5AsyncClient member(String clientId, AtomicInteger next, AtomicReference<String> wrong)
            throws Exception {
        Mqtt5AsyncClient c = MqttClient.builder()
                .useMqttVersion5()
                .identifier(clientId)
                .serverHost("127.0.0.1")
                .serverPort(port)
                .buildAsync();
        c.publishes(MqttGlobalPublishFilter.ALL, TestTraffic.inOrderOnce(next, wrong));
        c.connectWith().cleanStart(true).send().get(10, TimeUnit.SECONDS);
        c.subscribeWith()
                .topicFilter("$share/workers/jobs/#")
                .qos(MqttQos.AT_LEAST_ONCE)
                .send()
                .get(10, TimeUnit.SECONDS);
        return c;
    }

    private static void awaitAllOnce(AtomicInteger next, AtomicReference<String> wrong) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (next.get() < QUEUED && wrong.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(wrong.get()).isNull();
        assertThat(next.get()).isEqualTo(QUEUED);
        Thread.sleep(300); // nothing arrives a second time
        assertThat(wrong.get()).isNull();
        assertThat(next.get()).isEqualTo(QUEUED);
    }
}
