package io.mqttra.broker;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import java.util.ArrayList;
import java.util.List;

/** Real MQTT clients (HiveMQ client, 3.1.1 and 5.0) for one test, disconnected by {@link #closeAll()} afterwards. */
public final class TestClients {

    private final List<AutoCloseable> cleanups = new ArrayList<>();

    public Mqtt5BlockingClient v5(int port, String clientId) {
        Mqtt5BlockingClient c = MqttClient.builder()
                .useMqttVersion5()
                .identifier(clientId)
                .serverHost("127.0.0.1")
                .serverPort(port)
                .buildBlocking();
        cleanups.add(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        return c;
    }

    public Mqtt3BlockingClient v3(int port, String clientId) {
        Mqtt3BlockingClient c = MqttClient.builder()
                .useMqttVersion3()
                .identifier(clientId)
                .serverHost("127.0.0.1")
                .serverPort(port)
                .buildBlocking();
        cleanups.add(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        return c;
    }

    /** Anything else to close after the test (raw sockets). */
    public <T extends AutoCloseable> T closeLater(T resource) {
        cleanups.add(resource);
        return resource;
    }

    public void closeAll() {
        for (AutoCloseable c : cleanups) {
            try {
                c.close();
            } catch (Exception ignored) {
                // already disconnected by the test
            }
        }
        cleanups.clear();
    }
}
