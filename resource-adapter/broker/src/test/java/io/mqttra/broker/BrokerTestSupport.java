package io.mqttra.broker;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Starts a broker on an ephemeral port for each test and disconnects the clients a test made. */
abstract class BrokerTestSupport {

    protected MqttBroker broker;
    protected int port;
    private final List<Runnable> cleanups = new ArrayList<>();

    protected BrokerConfig.Builder config() {
        return BrokerConfig.builder().port(0).ioThreads(2);
    }

    @BeforeEach
    void startBroker() {
        broker = new MqttBroker(config().build());
        broker.start();
        port = broker.port();
    }

    @AfterEach
    void stopBroker() {
        for (Runnable r : cleanups) {
            try {
                r.run();
            } catch (RuntimeException ignored) {
                // already disconnected by the test
            }
        }
        broker.stop();
    }

    protected Mqtt5BlockingClient v5(String clientId) {
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(port).buildBlocking();
        cleanups.add(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        return c;
    }

    protected Mqtt3BlockingClient v3(String clientId) {
        Mqtt3BlockingClient c = MqttClient.builder().useMqttVersion3().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(port).buildBlocking();
        cleanups.add(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        return c;
    }

    protected RawClient raw() throws java.io.IOException {
        RawClient r = new RawClient("127.0.0.1", port);
        cleanups.add(r::close);
        return r;
    }
}
