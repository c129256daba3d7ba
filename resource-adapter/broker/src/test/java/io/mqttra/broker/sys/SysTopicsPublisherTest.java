package io.mqttra.broker.sys;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.mqttra.broker.MqttBroker;
import io.mqttra.broker.config.BrokerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The {@code $SYS/broker/...} topics, named as Mosquitto names them. */
class SysTopicsPublisherTest {

    private MqttBroker broker;
    private final List<Mqtt5BlockingClient> clients = new ArrayList<>();

    private void start(int sysInterval) {
        broker = new MqttBroker(BrokerConfig.builder()
                .port(0)
                .ioThreads(1)
                .sysIntervalSeconds(sysInterval)
                .build());
        broker.start();
    }

    private Mqtt5BlockingClient client(String id) {
        Mqtt5BlockingClient c = MqttClient.builder()
                .useMqttVersion5()
                .identifier(id)
                .serverHost("127.0.0.1")
                .serverPort(broker.port())
                .buildBlocking();
        c.connect();
        clients.add(c);
        return c;
    }

    @AfterEach
    void stop() {
        clients.forEach(c -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        broker.stop();
    }

    /** Collects the latest value of every $SYS topic the client receives. */
    private static Map<String, Mqtt5Publish> watchSys(Mqtt5BlockingClient c) {
        Map<String, Mqtt5Publish> latest = new ConcurrentHashMap<>();
        c.toAsync()
                .publishes(
                        MqttGlobalPublishFilter.ALL,
                        p -> latest.put(p.getTopic().toString(), p));
        c.subscribeWith().topicFilter("$SYS/broker/#").qos(MqttQos.AT_MOST_ONCE).send();
        return latest;
    }

    private static String value(Map<String, Mqtt5Publish> latest, String topic) {
        Mqtt5Publish p = latest.get("$SYS/broker/" + topic);
        return p == null ? null : new String(p.getPayloadAsBytes(), UTF_8);
    }

    @Test
    void retainedFiguresAreThereForALateSubscriber_andFollowTheBroker() {
        start(1);
        Map<String, Mqtt5Publish> sys = watchSys(client("monitor"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            // The build's version, not the "unknown" of an unfiltered resource.
            assertThat(value(sys, "version"))
                    .isEqualTo("mqtt-ra version " + System.getProperty("mqtt-ra.project.version"));
            assertThat(value(sys, "uptime")).matches("\\d+ seconds");
            assertThat(value(sys, "clients/connected")).isEqualTo("1");
            assertThat(value(sys, "subscriptions/count")).isEqualTo("1");
            assertThat(value(sys, "load/publish/received/1min")).matches("\\d+\\.\\d\\d");
        });
        // Sent to a new subscriber as retained messages [MQTT-3.3.1-6]: no waiting for the next tick.
        assertThat(sys.get("$SYS/broker/version").isRetain()).isTrue();

        Mqtt5BlockingClient publisher = client("publisher");
        for (int i = 0; i < 3; i++) {
            publisher.publishWith().topic("plain/topic").payload(new byte[10]).send();
        }
        publisher
                .publishWith()
                .topic("plain/retained")
                .payload("r".getBytes(UTF_8))
                .retain(true)
                .send();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(value(sys, "clients/connected")).isEqualTo("2");
            assertThat(value(sys, "clients/maximum")).isEqualTo("2");
            // The $SYS messages themselves are not counted as received.
            assertThat(value(sys, "publish/messages/received")).isEqualTo("4");
            assertThat(value(sys, "publish/bytes/received")).isEqualTo("31");
            assertThat(Long.parseLong(value(sys, "retained messages/count"))).isGreaterThan(1);
        });
        publisher.disconnect();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(value(sys, "clients/connected")).isEqualTo("1");
            assertThat(value(sys, "clients/maximum")).isEqualTo("2");
        });
    }

    @Test
    void multiLevelWildcardAtTheRootDoesNotMatchSysTopics_MQTT_4_7_2_1() throws Exception {
        start(1);
        Mqtt5BlockingClient all = client("everything");
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = all.publishes(MqttGlobalPublishFilter.ALL)) {
            all.subscribeWith().topicFilter("#").qos(MqttQos.AT_MOST_ONCE).send();
            Optional<Mqtt5Publish> got = publishes.receive(2500, TimeUnit.MILLISECONDS);
            assertThat(got).isEmpty();
        }
    }

    /**
     * $SYS is the broker's: a client publishing under it, even with no authentication and no ACL configured, is
     * refused (MQTT 5: PUBACK 0x87; MQTT 3.1.1 has no negative acknowledgement, so the message is acknowledged and
     * dropped) and the broker's retained figures stay its own.
     */
    @Test
    void clientsCannotPublishUnderSys() {
        start(1);
        Map<String, Mqtt5Publish> sys = watchSys(client("monitor-spoof"));
        await().atMost(Duration.ofSeconds(10)).until(() -> value(sys, "version") != null);

        Mqtt5PubAckReasonCode code;
        try {
            Mqtt5PublishResult r = client("spoofer-5")
                    .publishWith()
                    .topic("$SYS/broker/version")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .retain(true)
                    .payload("spoofed 5".getBytes(UTF_8))
                    .send();
            code = ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode();
        } catch (Mqtt5PubAckException e) {
            code = e.getMqttMessage().getReasonCode();
        }
        assertThat(code).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);

        Mqtt3BlockingClient v3 = MqttClient.builder()
                .useMqttVersion3()
                .identifier("spoofer-3")
                .serverHost("127.0.0.1")
                .serverPort(broker.port())
                .buildBlocking();
        v3.connect();
        try {
            v3.publishWith()
                    .topic("$SYS/broker/version")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .retain(true)
                    .payload("spoofed 3".getBytes(UTF_8))
                    .send();
            v3.publishWith()
                    .topic("$SYS/broker/fake")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload("x".getBytes(UTF_8))
                    .send();
        } finally {
            v3.disconnect();
        }

        // A new subscriber gets the retained version: still the broker's, and nothing arrived on the fake topic.
        Map<String, Mqtt5Publish> late = watchSys(client("monitor-late"));
        await().atMost(Duration.ofSeconds(10)).until(() -> value(late, "version") != null);
        assertThat(value(late, "version")).startsWith("mqtt-ra version ");
        assertThat(sys.values())
                .extracting(p -> new String(p.getPayloadAsBytes(), UTF_8))
                .noneMatch(v -> v.startsWith("spoofed"));
        assertThat(sys).doesNotContainKey("$SYS/broker/fake");
    }

    @Test
    void intervalZero_publishesNothing() throws Exception {
        start(0);
        Mqtt5BlockingClient monitor = client("monitor-off");
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = monitor.publishes(MqttGlobalPublishFilter.ALL)) {
            monitor.subscribeWith()
                    .topicFilter("$SYS/#")
                    .qos(MqttQos.AT_MOST_ONCE)
                    .send();
            assertThat(publishes.receive(1500, TimeUnit.MILLISECONDS)).isEmpty();
        }
    }
}
