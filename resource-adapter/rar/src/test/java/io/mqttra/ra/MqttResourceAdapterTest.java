package io.mqttra.ra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.mqttra.api.MqttMessageListener;
import io.mqttra.api.OnMqttMessage;
import io.mqttra.ra.inflow.MqttActivationSpec;
import jakarta.resource.NotSupportedException;
import jakarta.resource.spi.ResourceAdapterInternalException;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The adapter's lifecycle with the real broker and a real MQTT client; the server's WorkManager is stood in for
 * by {@link ThreadPoolWorkManager} (the Payara integration test in mdb-samples runs it in the real server).
 */
class MqttResourceAdapterTest {

    @Test
    void startBindsTheBrokerAndStopEndsEveryBrokerWork() throws Exception {
        try (ThreadPoolWorkManager workManager = new ThreadPoolWorkManager()) {
            MqttResourceAdapter adapter = TestAdapters.isolated();
            adapter.setPort(0);
            adapter.start(new TestBootstrapContext(workManager));
            int port = adapter.broker().port();
            assertThat(port).isPositive();
            assertThat(workManager.started()).as("event loops run as Works").isPositive();

            Mqtt5BlockingClient client = Mqtt5Client.builder()
                    .identifier("lifecycle")
                    .serverHost("127.0.0.1")
                    .serverPort(port)
                    .buildBlocking();
            client.connect();
            client.disconnect();

            adapter.stop();
            // stop() returns once every Work's task has ended; only the Works' last instructions may still run.
            await().atMost(Duration.ofSeconds(1)).until(() -> workManager.running() == 0);
            assertThatThrownBy(adapter::broker).isInstanceOf(IllegalStateException.class);
            // The port is free again: a redeploy can bind it.
            try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
                assertThat(again.getLocalPort()).isEqualTo(port);
            }
        }
    }

    @Test
    void busyPortFailsTheDeploymentNamingAddressAndPort() throws Exception {
        try (ThreadPoolWorkManager workManager = new ThreadPoolWorkManager();
                ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            MqttResourceAdapter adapter = TestAdapters.isolated();
            adapter.setPort(taken.getLocalPort());
            assertThatThrownBy(() -> adapter.start(new TestBootstrapContext(workManager)))
                    .isInstanceOf(ResourceAdapterInternalException.class)
                    .hasMessageContaining("127.0.0.1:" + taken.getLocalPort());
            assertThatThrownBy(adapter::broker).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void malformedSettingFailsTheDeployment() throws Exception {
        try (ThreadPoolWorkManager workManager = new ThreadPoolWorkManager()) {
            MqttResourceAdapter adapter = TestAdapters.isolated();
            adapter.setMaxPacketSize(10);
            assertThatThrownBy(() -> adapter.start(new TestBootstrapContext(workManager)))
                    .isInstanceOf(ResourceAdapterInternalException.class)
                    .hasMessageContaining("max packet size");
        }
    }

    public static class Lamp implements MqttMessageListener, MessageEndpoint {
        static final List<String> received = new CopyOnWriteArrayList<>();

        @OnMqttMessage("lamp/+")
        public void on(String text) {
            received.add(text);
        }

        @Override
        public void beforeDelivery(Method method) {}

        @Override
        public void afterDelivery() {}

        @Override
        public void release() {}
    }

    @Test
    void beanReceivesWhatAClientPublishesAndASecondBeanCannotTakeItsClientId() throws Exception {
        try (ThreadPoolWorkManager workManager = new ThreadPoolWorkManager()) {
            MqttResourceAdapter adapter = TestAdapters.isolated();
            adapter.start(new TestBootstrapContext(workManager));
            try {
                MqttActivationSpec spec = new MqttActivationSpec();
                spec.setClientId("lamp");
                adapter.endpointActivation(new SimpleEndpointFactory<>(Lamp.class, Lamp::new, "app#lamp"), spec);
                MqttActivationSpec same = new MqttActivationSpec();
                same.setClientId("lamp");
                assertThatThrownBy(() -> adapter.endpointActivation(
                                new SimpleEndpointFactory<>(Lamp.class, Lamp::new, "other#lamp"), same))
                        .isInstanceOf(NotSupportedException.class)
                        .hasMessageContaining("'lamp'")
                        .hasMessageContaining("already used");

                Mqtt5BlockingClient client = Mqtt5Client.builder()
                        .identifier("switch")
                        .serverHost("127.0.0.1")
                        .serverPort(adapter.broker().port())
                        .buildBlocking();
                client.connect();
                client.publishWith()
                        .topic("lamp/desk")
                        .payload("ON".getBytes(StandardCharsets.UTF_8))
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .send();
                client.disconnect();
                await().atMost(Duration.ofSeconds(10)).until(() -> Lamp.received.contains("ON"));
                assertThat(adapter.activations()).hasSize(1);
            } finally {
                adapter.stop();
            }
            assertThat(adapter.activations()).isEmpty();
        }
    }
}
