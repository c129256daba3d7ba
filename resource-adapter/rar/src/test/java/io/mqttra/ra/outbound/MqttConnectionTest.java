package io.mqttra.ra.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.mqttra.api.MqttConnection;
import io.mqttra.api.MqttException;
import io.mqttra.ra.MqttResourceAdapter;
import io.mqttra.ra.TestAdapters;
import io.mqttra.ra.TestBootstrapContext;
import io.mqttra.ra.ThreadPoolWorkManager;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The outbound connection with the real broker and a real MQTT client; the pool that the server would put between
 * factory and connection is left out: the test takes handles from the managed connection itself.
 */
class MqttConnectionTest {

    private ThreadPoolWorkManager workManager;
    private MqttResourceAdapter adapter;
    private MqttManagedConnection managed;
    private final List<ConnectionEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        workManager = new ThreadPoolWorkManager();
        adapter = TestAdapters.isolated();
        adapter.start(new TestBootstrapContext(workManager));
        MqttManagedConnectionFactory factory = new MqttManagedConnectionFactory();
        factory.setResourceAdapter(adapter);
        managed = (MqttManagedConnection) factory.createManagedConnection(null, null);
        managed.addConnectionEventListener(new ConnectionEventListener() {
            @Override
            public void connectionClosed(ConnectionEvent event) {
                events.add(event);
            }

            @Override
            public void localTransactionStarted(ConnectionEvent event) {}

            @Override
            public void localTransactionCommitted(ConnectionEvent event) {}

            @Override
            public void localTransactionRolledback(ConnectionEvent event) {}

            @Override
            public void connectionErrorOccurred(ConnectionEvent event) {}
        });
    }

    @AfterEach
    void stop() throws Exception {
        adapter.stop();
        workManager.close();
    }

    @Test
    void publishReachesASubscribedClientAndIsRetained_MQTT_3_3_1_5() throws Exception {
        Mqtt5BlockingClient subscriber = client("subscriber");
        subscriber
                .subscribeWith()
                .topicFilter("light-switch/status")
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = subscriber.publishes(MqttGlobalPublishFilter.ALL)) {
            try (MqttConnection connection = (MqttConnection) managed.getConnection(null, null)) {
                connection.publish("light-switch/status", "{\"status\":\"ON\"}", 1, true);
            }
            Optional<Mqtt5Publish> received = publishes.receive(10, TimeUnit.SECONDS);
            assertThat(received).isPresent();
            assertThat(new String(received.get().getPayloadAsBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"status\":\"ON\"}");
            assertThat(received.get().getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
        } finally {
            subscriber.disconnect();
        }
        // [MQTT-3.3.1-6] a later subscriber gets the retained message
        Mqtt5BlockingClient late = client("late");
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = late.publishes(MqttGlobalPublishFilter.ALL)) {
            late.subscribeWith()
                    .topicFilter("light-switch/status")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send();
            Optional<Mqtt5Publish> retained = publishes.receive(10, TimeUnit.SECONDS);
            assertThat(retained).isPresent();
            assertThat(retained.get().isRetain()).isTrue();
        } finally {
            late.disconnect();
        }
    }

    @Test
    void invalidTopicOrQosIsRefusedWithAClearException_MQTT_3_3_2_2() throws Exception {
        try (MqttConnection connection = (MqttConnection) managed.getConnection(null, null)) {
            assertThatThrownBy(() -> connection.publish("a/+", "x", 1, false))
                    .isInstanceOf(MqttException.class)
                    .hasMessageContaining("'a/+'")
                    .hasMessageContaining("wildcards");
            assertThatThrownBy(() -> connection.publish("", "x", 1, false))
                    .isInstanceOf(MqttException.class)
                    .hasMessageContaining("at least one character");
            assertThatThrownBy(() -> connection.publish("a", "x", 3, false))
                    .isInstanceOf(MqttException.class)
                    .hasMessageContaining("QoS must be 0, 1 or 2");
        }
    }

    @Test
    void closingAHandleTellsThePoolAndTheHandleCannotBeUsedAgain() throws Exception {
        MqttConnection connection = (MqttConnection) managed.getConnection(null, null);
        connection.close();
        connection.close(); // idempotent
        assertThat(events).hasSize(1);
        assertThat(events.get(0).getConnectionHandle()).isSameAs(connection);
        assertThatThrownBy(() -> connection.publish("a", "x", 0, false))
                .isInstanceOf(MqttException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void cleanupInvalidatesHandlesStillOpen() throws Exception {
        MqttConnection connection = (MqttConnection) managed.getConnection(null, null);
        managed.cleanup();
        assertThatThrownBy(() -> connection.publish("a", "x", 0, false)).isInstanceOf(MqttException.class);
    }

    @Test
    void publishAfterTheAdapterStoppedFailsClearly() throws Exception {
        MqttConnection connection = (MqttConnection) managed.getConnection(null, null);
        adapter.stop();
        assertThatThrownBy(() -> connection.publish("a", "x", 0, false))
                .isInstanceOf(MqttException.class)
                .hasMessageContaining("not started");
    }

    private Mqtt5BlockingClient client(String id) {
        Mqtt5BlockingClient client = Mqtt5Client.builder()
                .identifier(id)
                .serverHost("127.0.0.1")
                .serverPort(adapter.broker().port())
                .buildBlocking();
        client.connect();
        return client;
    }
}
