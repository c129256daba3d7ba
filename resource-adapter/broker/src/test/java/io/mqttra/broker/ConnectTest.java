package io.mqttra.broker;

import static io.mqttra.broker.PubSubTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAck;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.mqttra.broker.config.BrokerConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

class ConnectTest extends BrokerTestSupport {

    @Test
    void connect311_accepted_sessionNotPresentForCleanSession_MQTT_3_2_2_1() {
        Mqtt3ConnAck ack = v3("c311").connectWith().cleanSession(true).send();
        assertThat(ack.getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
        assertThat(ack.isSessionPresent()).isFalse();
    }

    @Test
    void connect5_accepted() {
        Mqtt5ConnAck ack = v5("c5").connectWith().cleanStart(true).send();
        assertThat(ack.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        assertThat(ack.isSessionPresent()).isFalse();
    }

    @Test
    void pahoV3_connects() throws Exception {
        var paho = new org.eclipse.paho.client.mqttv3.MqttClient(
                "tcp://127.0.0.1:" + port, "paho3", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        paho.connect(o);
        assertThat(paho.isConnected()).isTrue();
        paho.disconnect();
        paho.close();
    }

    @Test
    void mqtt31_MQIsdp_connects() throws Exception {
        var paho = new org.eclipse.paho.client.mqttv3.MqttClient(
                "tcp://127.0.0.1:" + port, "paho31", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1);
        paho.connect(o);
        assertThat(paho.isConnected()).isTrue();
        paho.disconnect();
        paho.close();
    }

    @Test
    void pahoV5_connects() throws Exception {
        var paho = new org.eclipse.paho.mqttv5.client.MqttClient(
                "tcp://127.0.0.1:" + port, "paho5", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        paho.connect();
        assertThat(paho.isConnected()).isTrue();
        paho.disconnect();
        paho.close();
    }

    @Test
    void emptyClientId5_getsAssignedClientIdentifier_MQTT_3_1_3_6_MQTT_3_2_2_16() {
        Mqtt5BlockingClient c = MqttClient.builder()
                .useMqttVersion5()
                .serverHost("127.0.0.1")
                .serverPort(port)
                .buildBlocking();
        Mqtt5ConnAck ack = c.connect();
        assertThat(ack.getAssignedClientIdentifier()).isPresent();
        assertThat(ack.getAssignedClientIdentifier().get().toString()).isNotEmpty();
        c.disconnect();
    }

    @Test
    void emptyClientId311_cleanSession_isAccepted_MQTT_3_1_3_6() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect311("", true, 60));
            assertThat(r.readPacket()).containsExactly(0x20, 2, 0, 0);
        }
    }

    @Test
    void emptyClientId311_persistentSession_isRejectedWith0x02_MQTT_3_1_3_8() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect311("", false, 60));
            assertThat(r.readPacket()).containsExactly(0x20, 2, 0, 0x02);
            assertThat(r.closedByBroker()).isTrue();
        }
    }

    @Test
    void sessionPresent_whenResumingPersistentSession_MQTT_3_2_2_2() {
        Mqtt3BlockingClient c = v3("resume");
        assertThat(c.connectWith().cleanSession(false).send().isSessionPresent())
                .isFalse();
        c.disconnect();
        assertThat(c.connectWith().cleanSession(false).send().isSessionPresent())
                .isTrue();
        c.disconnect();
        assertThat(c.connectWith().cleanSession(true).send().isSessionPresent()).isFalse();
    }

    @Test
    void sessionTakeover_closesOldConnection_withReason0x8E_MQTT_3_1_4_3() {
        Mqtt5BlockingClient first = v5("twin");
        CompletableFuture<Throwable> disconnected = new CompletableFuture<>();
        Mqtt5BlockingClient firstWithListener = MqttClient.builder()
                .useMqttVersion5()
                .identifier("twin")
                .serverHost("127.0.0.1")
                .serverPort(port)
                .addDisconnectedListener(ctx -> disconnected.complete(ctx.getCause()))
                .buildBlocking();
        firstWithListener.connect();
        Mqtt5BlockingClient second = v5("twin");
        second.connect();
        Throwable cause = disconnected.orTimeout(5, TimeUnit.SECONDS).join();
        assertThat(cause).isInstanceOf(Mqtt5DisconnectException.class);
        assertThat(((Mqtt5DisconnectException) cause).getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER);
        assertThat(second.getState().isConnected()).isTrue();
        assertThat(first.getState().isConnected()).isFalse();
    }

    @Test
    void sessionTakeover311_closesTheFirstConnection_newOneContinuesTheSession_MQTT_3_1_4_2() throws Exception {
        RawClient first = raw();
        first.send(RawClient.connect311("twin-311", false, 60));
        assertThat(first.readPacket()).containsExactly(0x20, 2, 0, 0);
        first.send(RawClient.subscribe(1, "twin/t", 1));
        assertThat(first.readPacket()[0]).isEqualTo((byte) 0x90);
        RawClient second = raw();
        second.send(RawClient.connect311("twin-311", false, 60));
        assertThat(second.readPacket()).containsExactly(0x20, 2, 1, 0); // the same session: present
        assertThat(first.closedByBroker()).isTrue();
        broker.publish(new ApplicationMessage("twin/t", bytes("x"), 1, false, null))
                .join();
        assertThat(second.readPacket()[0] & 0xF0).isEqualTo(0x30);
    }

    @Test
    void keepAlive_connectionClosedAfterOneAndAHalfTimesKeepAlive_MQTT_3_1_2_24() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect311("sleepy", true, 1));
            assertThat(r.readPacket()).containsExactly(0x20, 2, 0, 0);
            long start = System.nanoTime();
            r.timeout(5000);
            assertThat(r.closedByBroker()).isTrue();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(ms).isBetween(1200L, 4000L);
        }
    }

    @Test
    void pingreq_keepsConnectionAlive_MQTT_3_12_4_1() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect311("pinger", true, 1));
            r.readPacket();
            for (int i = 0; i < 3; i++) {
                Thread.sleep(700);
                r.send(0xC0, 0);
                assertThat(r.readPacket()).containsExactly(0xD0, 0);
            }
        }
    }

    @Test
    void bindFailure_namesAddressAndPort() {
        BrokerConfig cfg = BrokerConfig.builder().port(port).build();
        try (MqttBroker second = new MqttBroker(cfg)) {
            assertThatThrownBy(second::start)
                    .isInstanceOf(BrokerException.class)
                    .hasMessageContaining("127.0.0.1:" + port);
        }
    }

    @Test
    void stop_freesThePortQuickly() {
        long start = System.nanoTime();
        broker.stop();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        MqttBroker again = new MqttBroker(BrokerConfig.builder().port(port).build());
        again.start();
        again.stop();
    }

    @Test
    void connectionsAreCounted() {
        v5("counted").connect();
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.metrics().connections() == 1);
    }

    @Test
    void withAnExecutor_everyEventLoopRunsOnIt_andStopEndsThem() throws Exception {
        java.util.concurrent.atomic.AtomicInteger loops = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService workManager =
                java.util.concurrent.Executors.newCachedThreadPool(r -> new Thread(r, "work-manager-" + loops.get()));
        java.util.concurrent.Executor asWork = task -> {
            loops.incrementAndGet();
            workManager.execute(task);
        };
        MqttBroker managed =
                new MqttBroker(BrokerConfig.builder().port(0).ioThreads(2).build(), asWork);
        managed.start();
        try {
            java.util.concurrent.BlockingQueue<String> threads = new java.util.concurrent.LinkedBlockingQueue<>();
            LocalSession s = managed.openLocalSession(
                    "thread-check", d -> threads.add(Thread.currentThread().getName()));
            s.subscribe("t", 0, 0);
            var c = MqttClient.builder()
                    .useMqttVersion5()
                    .identifier("thread-pub")
                    .serverHost("127.0.0.1")
                    .serverPort(managed.port())
                    .buildBlocking();
            c.connect();
            c.publishWith().topic("t").payload(new byte[] {1}).send();
            assertThat(threads.poll(5, TimeUnit.SECONDS)).startsWith("work-manager-");
            c.disconnect();
        } finally {
            managed.stop();
        }
        assertThat(loops.get()).isEqualTo(2); // one long-lived task (JCA Work) per event loop, nothing else
        workManager.shutdown();
        assertThat(workManager.awaitTermination(3, TimeUnit.SECONDS)).isTrue(); // stop() ended every loop
    }

    @Test
    void requestResponseInformation_connackCarriesResponseInformation_MQTT_3_1_2_28() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect5("asker", true, 60, new byte[] {0x19, 1}));
            byte[] connack = r.readPacket();
            assertThat(connack[3]).isZero();
            assertThat(new String(connack, java.nio.charset.StandardCharsets.UTF_8))
                    .contains("response/asker");
        }
    }

    /**
     * A stopping broker tells MQTT 5 clients why with DISCONNECT 0x8B (Server shutting down); a 3.1.1 client, which
     * has no server DISCONNECT, sees its connection closed.
     */
    @Test
    void brokerStop_mqtt5ClientsGetDisconnectServerShuttingDown() throws Exception {
        try (RawClient v5 = raw();
                RawClient v311 = raw()) {
            v5.send(RawClient.connect5("leaving-5", true, 60, new byte[0]));
            assertThat(v5.readPacket()[0] & 0xFF).isEqualTo(0x20);
            v311.send(RawClient.connect311("leaving-311", true, 60));
            assertThat(v311.readPacket()[0] & 0xFF).isEqualTo(0x20);

            broker.stop();

            byte[] disconnect = v5.readPacket();
            assertThat(disconnect).as("DISCONNECT before the close").isNotNull();
            assertThat(disconnect[0] & 0xFF).isEqualTo(0xE0);
            assertThat(disconnect[2] & 0xFF).isEqualTo(0x8B);
            assertThat(v5.closedByBroker()).isTrue();
            assertThat(v311.closedByBroker()).isTrue();
        }
    }
}
