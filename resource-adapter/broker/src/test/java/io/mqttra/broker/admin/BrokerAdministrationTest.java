package io.mqttra.broker.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.mqttra.api.MqttException;
import io.mqttra.api.admin.ClientInfo;
import io.mqttra.api.admin.MetricsSnapshot;
import io.mqttra.api.admin.MqttBrokerAdmin;
import io.mqttra.api.admin.RetainedMessageInfo;
import io.mqttra.api.admin.SessionInfo;
import io.mqttra.api.admin.SubscriptionInfo;
import io.mqttra.broker.LocalSession;
import io.mqttra.broker.MqttBroker;
import io.mqttra.broker.config.BrokerConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operators' view of a real broker on an ephemeral port, driven by real HiveMQ MQTT clients. */
class BrokerAdministrationTest {

    private MqttBroker broker;
    private MqttBrokerAdmin admin;
    private final List<Runnable> cleanups = new ArrayList<>();

    @BeforeEach
    void start() {
        // No $SYS publisher: its messages would add to the counters this test checks.
        broker = new MqttBroker(BrokerConfig.builder()
                .port(0)
                .ioThreads(2)
                .sysIntervalSeconds(0)
                .build());
        broker.start();
        admin = broker.administration();
    }

    @AfterEach
    void stop() {
        cleanups.forEach(r -> {
            try {
                r.run();
            } catch (RuntimeException ignored) {
                // the test disconnected it already
            }
        });
        broker.stop();
    }

    @Test
    void overviewNamesTheBoundListenerAndAReachableStore() {
        var overview = admin.overview();
        assertThat(overview.running()).isTrue();
        assertThat(overview.listeners()).contains("tcp://127.0.0.1:" + broker.port());
        assertThat(overview.storeReachable()).isTrue();
    }

    @Test
    void overviewAfterStopSaysNotRunning() {
        broker.stop();
        assertThat(admin.overview().running()).isFalse();
        assertThatThrownBy(() -> admin.clients())
                .isInstanceOf(MqttException.class)
                .hasMessageContaining("not running");
    }

    @Test
    void clientsListNetworkClientsWithAddressProtocolVersionAndKeepAlive() {
        Mqtt5BlockingClient five = v5("admin-five");
        five.connectWith().keepAlive(30).send();
        Mqtt3BlockingClient three = v3("admin-three");
        three.connectWith().keepAlive(45).send();

        List<ClientInfo> clients = admin.clients();

        assertThat(clients).extracting(ClientInfo::clientId).containsExactly("admin-five", "admin-three");
        ClientInfo c5 = clients.get(0);
        assertThat(c5.protocolVersion()).isEqualTo("5.0");
        assertThat(c5.keepAliveSeconds()).isEqualTo(30);
        assertThat(c5.remoteAddress()).startsWith("127.0.0.1:");
        assertThat(clients.get(1).protocolVersion()).isEqualTo("3.1.1");
        assertThat(clients.get(1).keepAliveSeconds()).isEqualTo(45);
    }

    @Test
    void sessionsShowOfflinePersistentSessionsAndLocalSessions() {
        Mqtt5BlockingClient c = v5("admin-offline");
        c.connectWith().cleanStart(true).sessionExpiryInterval(300).send();
        c.subscribeWith().topicFilter("offline/#").qos(MqttQos.AT_LEAST_ONCE).send();
        c.disconnect();
        LocalSession local = broker.openLocalSession("admin-mdb", d -> d.acknowledge());
        cleanups.add(local::close);
        local.subscribe("mdb/in", 1, 0);
        // DISCONNECT returns before the broker has processed it.
        await().atMost(Duration.ofSeconds(5)).until(() -> admin.clients().isEmpty());

        List<SessionInfo> sessions = admin.sessions();

        assertThat(sessions).extracting(SessionInfo::clientId).containsExactly("admin-mdb", "admin-offline");
        SessionInfo offline = sessions.get(1);
        assertThat(offline.connected()).isFalse();
        assertThat(offline.persistent()).isTrue();
        assertThat(offline.sessionExpirySeconds()).isEqualTo(300);
        assertThat(offline.subscriptions()).isEqualTo(1);
        SessionInfo mdb = sessions.get(0);
        assertThat(mdb.local()).isTrue();
        assertThat(mdb.connected()).isTrue();
        assertThat(admin.clients()).as("local sessions are not network clients").isEmpty();
    }

    @Test
    void subscriptionsListFiltersWithOptionsAndShareGroups() {
        Mqtt5BlockingClient c = v5("admin-subs");
        c.connect();
        c.subscribeWith()
                .topicFilter("house/+/light")
                .qos(MqttQos.EXACTLY_ONCE)
                .noLocal(true)
                .send();
        c.subscribeWith()
                .topicFilter("$share/workers/jobs/#")
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();

        List<SubscriptionInfo> subs = admin.subscriptions();

        assertThat(subs)
                .extracting(SubscriptionInfo::topicFilter)
                .containsExactly("$share/workers/jobs/#", "house/+/light");
        assertThat(subs.get(0).shareGroup()).isEqualTo("workers");
        assertThat(subs.get(1).qos()).isEqualTo(2);
        assertThat(subs.get(1).noLocal()).isTrue();
    }

    /** MQTT 5 clients are told why: DISCONNECT 0x98; the will is published as for any server-side close [MQTT-3.1.2-8]. */
    @Test
    void disconnectClosesTheConnectionWithAdministrativeActionAndPublishesTheWill() throws Exception {
        Mqtt5BlockingClient watcher = v5("admin-watcher");
        watcher.connect();
        watcher.subscribeWith()
                .topicFilter("wills/#")
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();
        CompletableFuture<Throwable> cause = new CompletableFuture<>();
        Mqtt5BlockingClient victim = MqttClient.builder()
                .useMqttVersion5()
                .identifier("admin-victim")
                .serverHost("127.0.0.1")
                .serverPort(broker.port())
                .addDisconnectedListener(ctx -> cause.complete(ctx.getCause()))
                .buildBlocking();
        victim.connectWith()
                .willPublish()
                .topic("wills/admin-victim")
                .payload("gone".getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE)
                .applyWillPublish()
                .send();

        try (Mqtt5BlockingClient.Mqtt5Publishes publishes =
                watcher.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
            assertThat(admin.disconnect("admin-victim")).isTrue();

            Throwable t = cause.get(5, TimeUnit.SECONDS);
            assertThat(t).isInstanceOf(Mqtt5DisconnectException.class);
            assertThat(((Mqtt5DisconnectException) t).getMqttMessage().getReasonCode())
                    .isEqualTo(Mqtt5DisconnectReasonCode.ADMINISTRATIVE_ACTION);
            Optional<Mqtt5Publish> will = publishes.receive(5, TimeUnit.SECONDS);
            assertThat(will).isPresent();
            assertThat(will.get().getTopic().toString()).isEqualTo("wills/admin-victim");
        }
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        admin.clients().stream().noneMatch(c -> c.clientId().equals("admin-victim")));
        assertThat(admin.disconnect("admin-victim"))
                .as("not connected any more")
                .isFalse();
        assertThat(admin.disconnect("nobody")).isFalse();
    }

    @Test
    void purgeSessionDiscardsAnOfflineSessionSoTheClientStartsClean() {
        Mqtt5BlockingClient c = v5("admin-purge");
        c.connectWith().cleanStart(true).sessionExpiryInterval(300).send();
        c.subscribeWith().topicFilter("purge/#").send();
        c.disconnect();
        await().atMost(Duration.ofSeconds(5)).until(() -> admin.clients().isEmpty());

        assertThat(admin.purgeSession("admin-purge")).isTrue();

        await().atMost(Duration.ofSeconds(5)).until(() -> admin.sessions().isEmpty());
        assertThat(admin.subscriptions()).isEmpty();
        // [MQTT-3.2.2-3] without a stored session the server answers Session Present 0
        var ack = c.connectWith().cleanStart(false).sessionExpiryInterval(300).send();
        assertThat(ack.isSessionPresent()).isFalse();
        assertThat(admin.purgeSession("nobody")).isFalse();
    }

    @Test
    void purgeAndDisconnectRefuseSessionsOfMessageDrivenBeans() {
        LocalSession local = broker.openLocalSession("admin-bean", d -> d.acknowledge());
        cleanups.add(local::close);

        assertThatThrownBy(() -> admin.purgeSession("admin-bean"))
                .isInstanceOf(MqttException.class)
                .hasMessageContaining("message-driven bean");
        assertThatThrownBy(() -> admin.disconnect("admin-bean"))
                .isInstanceOf(MqttException.class)
                .hasMessageContaining("message-driven bean");
        assertThat(admin.sessions()).extracting(SessionInfo::clientId).containsExactly("admin-bean");
    }

    @Test
    void retainedBrowseMatchesTheFilterInTopicOrderUpToTheLimitAndDeleteRemovesIt() {
        Mqtt5BlockingClient c = v5("admin-retainer");
        c.connect();
        c.publishWith()
                .topic("house/b/light")
                .payload("ON".getBytes(StandardCharsets.UTF_8))
                .retain(true)
                .qos(MqttQos.AT_LEAST_ONCE)
                .contentType("text/plain")
                .send();
        // QoS 1: the PUBACK comes after the broker stored the retained message, so browsing sees it.
        c.publishWith()
                .topic("house/a/light")
                .payload(new byte[] {0, 1, 2, (byte) 0xff})
                .retain(true)
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();
        c.publishWith()
                .topic("garden/pump")
                .payload("OFF".getBytes(StandardCharsets.UTF_8))
                .retain(true)
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();

        List<RetainedMessageInfo> house = admin.retained("house/+/light", 10);
        assertThat(house).extracting(RetainedMessageInfo::topic).containsExactly("house/a/light", "house/b/light");
        assertThat(house.get(0).payloadIsText()).isFalse();
        assertThat(house.get(0).payloadPreview()).isEqualTo("000102ff");
        assertThat(house.get(1).payloadPreview()).isEqualTo("ON");
        assertThat(house.get(1).qos()).isEqualTo(1);
        assertThat(house.get(1).contentType()).isEqualTo("text/plain");
        assertThat(admin.retained("#", 2)).hasSize(2);
        assertThatThrownBy(() -> admin.retained("house/#/x", 10)).isInstanceOf(IllegalArgumentException.class);

        assertThat(admin.deleteRetained("house/b/light")).isTrue();
        assertThat(admin.deleteRetained("house/b/light")).isFalse();
        assertThat(admin.retained("#", 10))
                .extracting(RetainedMessageInfo::topic)
                .containsExactly("garden/pump", "house/a/light");
        // [MQTT-3.3.1-6] a new subscriber gets the retained messages still there, and not the deleted one
        Mqtt5BlockingClient late = v5("admin-late");
        late.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes =
                late.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
            late.subscribeWith().topicFilter("house/b/light").send();
            assertThat(publishes.receive(500, TimeUnit.MILLISECONDS)).isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void metricsCountMessagesAndBytesByQosAndTheQueuesOfOfflineSessions() {
        Mqtt5BlockingClient offline = v5("admin-queue");
        offline.connectWith().cleanStart(true).sessionExpiryInterval(300).send();
        offline.subscribeWith()
                .topicFilter("metrics/#")
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();
        offline.disconnect();
        await().atMost(Duration.ofSeconds(5)).until(() -> admin.clients().isEmpty());
        Mqtt5BlockingClient pub = v5("admin-pub");
        pub.connect();
        pub.publishWith()
                .topic("metrics/a")
                .payload(new byte[10])
                .qos(MqttQos.AT_MOST_ONCE)
                .send();
        pub.publishWith()
                .topic("metrics/b")
                .payload(new byte[20])
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();
        pub.publishWith()
                .topic("metrics/c")
                .payload(new byte[30])
                .qos(MqttQos.EXACTLY_ONCE)
                .send();

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            MetricsSnapshot m = admin.metrics();
            assertThat(m.messagesInByQos()).containsExactly(1L, 1L, 1L);
            assertThat(m.bytesInByQos()).containsExactly(10L, 20L, 30L);
            // QoS 0 is not queued for an offline session; QoS 1 and 2 are, downgraded to the granted QoS 1.
            assertThat(m.queued()).isEqualTo(2);
            assertThat(m.connections()).isEqualTo(1);
            assertThat(m.subscriptions()).isEqualTo(1);
        });
    }

    private Mqtt5BlockingClient v5(String id) {
        Mqtt5BlockingClient c = MqttClient.builder()
                .useMqttVersion5()
                .identifier(id)
                .serverHost("127.0.0.1")
                .serverPort(broker.port())
                .buildBlocking();
        cleanups.add(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        return c;
    }

    private Mqtt3BlockingClient v3(String id) {
        Mqtt3BlockingClient c = MqttClient.builder()
                .useMqttVersion3()
                .identifier(id)
                .serverHost("127.0.0.1")
                .serverPort(broker.port())
                .buildBlocking();
        cleanups.add(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        return c;
    }
}
