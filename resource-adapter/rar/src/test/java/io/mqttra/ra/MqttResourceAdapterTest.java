package io.mqttra.ra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import jakarta.resource.spi.ResourceAdapterInternalException;
import java.net.InetAddress;
import java.net.ServerSocket;
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

            Mqtt5BlockingClient client = Mqtt5Client.builder().identifier("lifecycle").serverHost("127.0.0.1")
                    .serverPort(port).buildBlocking();
            client.connect();
            client.disconnect();

            adapter.stop();
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
}
