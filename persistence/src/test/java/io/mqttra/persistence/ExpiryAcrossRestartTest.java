package io.mqttra.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Message and session expiry count from the message's arrival and the session's disconnect, not from the broker's
 * last start: the broker (on an H2 file, in a JVM of its own) is stopped and started again in between.
 */
class ExpiryAcrossRestartTest {

    private static final Path LOG = Path.of("target", "expiry-restart-child.log");

    @Test
    void expiredMessageIsNotDeliveredAfterARestart_andTheOtherCarriesItsRemainingInterval_MQTT_3_3_2_5_MQTT_3_3_2_6()
            throws Exception {
        Path dir = Path.of("target", "h2", "message-expiry-" + System.nanoTime());
        try (BrokerProcess broker = new BrokerProcess(dir, "128m", 1000, 60_000, LOG)) {
            Mqtt5BlockingClient sub = client("expiry-sub", broker.port());
            sub.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
            sub.subscribeWith().topicFilter("exp/#").qos(MqttQos.AT_LEAST_ONCE).send();
            sub.disconnect();
            Mqtt5BlockingClient pub = client("expiry-pub", broker.port());
            pub.connect();
            pub.publishWith()
                    .topic("exp/short")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .messageExpiryInterval(3)
                    .payload("short".getBytes(StandardCharsets.UTF_8))
                    .send();
            pub.publishWith()
                    .topic("exp/long")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .messageExpiryInterval(60)
                    .payload("long".getBytes(StandardCharsets.UTF_8))
                    .send();
            pub.disconnect();
            broker.stop();
        }
        Thread.sleep(4_000); // the short one expires while the broker is down
        try (BrokerProcess broker = new BrokerProcess(dir, "128m", 1000, 60_000, LOG)) {
            Mqtt5BlockingClient sub = client("expiry-sub", broker.port());
            try (Mqtt5BlockingClient.Mqtt5Publishes publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
                assertThat(sub.connectWith()
                                .cleanStart(false)
                                .sessionExpiryInterval(3600)
                                .send()
                                .isSessionPresent())
                        .isTrue();
                Mqtt5Publish p = publishes.receive(10, TimeUnit.SECONDS).orElseThrow();
                assertThat(p.getTopic().toString()).isEqualTo("exp/long");
                // At least 4 s of the 60 have passed: a countdown restarted by the restart would say 60 or 59.
                assertThat(p.getMessageExpiryInterval().orElseThrow()).isBetween(1L, 56L);
                Optional<Mqtt5Publish> more = publishes.receive(1, TimeUnit.SECONDS);
                assertThat(more).isEmpty(); // exp/short expired [MQTT-3.3.2-5]
            }
            sub.disconnect();
            broker.stop();
        }
    }

    @Test
    void inFlightMessageResentAfterARestart_carriesItsRemainingInterval_MQTT_3_3_2_6() throws Exception {
        Path dir = Path.of("target", "h2", "inflight-expiry-" + System.nanoTime());
        try (BrokerProcess broker = new BrokerProcess(dir, "128m", 1000, 60_000, LOG)) {
            Mqtt5AsyncClient sub = Mqtt5Client.builder()
                    .identifier("inflight-sub")
                    .serverHost("127.0.0.1")
                    .serverPort(broker.port())
                    .buildAsync();
            CountDownLatch received = new CountDownLatch(1);
            sub.publishes(MqttGlobalPublishFilter.ALL, p -> received.countDown(), true); // never acknowledged
            sub.connectWith()
                    .cleanStart(true)
                    .sessionExpiryInterval(3600)
                    .send()
                    .get(10, TimeUnit.SECONDS);
            sub.subscribeWith()
                    .topicFilter("exp/#")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send()
                    .get(10, TimeUnit.SECONDS);
            Mqtt5BlockingClient pub = client("inflight-pub", broker.port());
            pub.connect();
            pub.publishWith()
                    .topic("exp/inflight")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .messageExpiryInterval(60)
                    .payload("x".getBytes(StandardCharsets.UTF_8))
                    .send();
            pub.disconnect();
            assertThat(received.await(10, TimeUnit.SECONDS)).isTrue();
            broker.stop(); // the delivery is in flight: sent, not acknowledged
        }
        Thread.sleep(4_000);
        try (BrokerProcess broker = new BrokerProcess(dir, "128m", 1000, 60_000, LOG)) {
            Mqtt5BlockingClient sub = client("inflight-sub", broker.port());
            try (Mqtt5BlockingClient.Mqtt5Publishes publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
                assertThat(sub.connectWith()
                                .cleanStart(false)
                                .sessionExpiryInterval(3600)
                                .send()
                                .isSessionPresent())
                        .isTrue();
                Mqtt5Publish p = publishes.receive(10, TimeUnit.SECONDS).orElseThrow(); // resent [MQTT-4.4.0-1]
                assertThat(p.getTopic().toString()).isEqualTo("exp/inflight");
                assertThat(p.getMessageExpiryInterval().orElseThrow()).isBetween(1L, 56L);
            }
            sub.disconnect();
            broker.stop();
        }
    }

    @Test
    void sessionExpiryCountsFromTheDisconnect_notFromTheRestart_MQTT_3_1_2_23() throws Exception {
        Path dir = Path.of("target", "h2", "session-expiry-" + System.nanoTime());
        try (BrokerProcess broker = new BrokerProcess(dir, "128m", 1000, 60_000, LOG)) {
            Mqtt5BlockingClient c = client("short-lived", broker.port());
            c.connectWith().cleanStart(true).sessionExpiryInterval(3).send();
            c.subscribeWith().topicFilter("s/#").qos(MqttQos.AT_LEAST_ONCE).send();
            c.disconnect();
            Mqtt5BlockingClient kept = client("long-lived", broker.port());
            kept.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
            kept.disconnect();
            broker.stop();
        }
        Thread.sleep(4_000); // longer than the 3 s expiry, all of it while the broker is down
        try (BrokerProcess broker = new BrokerProcess(dir, "128m", 1000, 60_000, LOG)) {
            Mqtt5BlockingClient c = client("short-lived", broker.port());
            assertThat(c.connectWith()
                            .cleanStart(false)
                            .sessionExpiryInterval(3)
                            .send()
                            .isSessionPresent())
                    .isFalse();
            c.disconnect();
            Mqtt5BlockingClient kept = client("long-lived", broker.port());
            assertThat(kept.connectWith()
                            .cleanStart(false)
                            .sessionExpiryInterval(3600)
                            .send()
                            .isSessionPresent())
                    .isTrue();
            kept.disconnect();
            broker.stop();
        }
    }

    private static Mqtt5BlockingClient client(String id, int port) {
        return Mqtt5Client.builder()
                .identifier(id)
                .serverHost("127.0.0.1")
                .serverPort(port)
                .buildBlocking();
    }
}
