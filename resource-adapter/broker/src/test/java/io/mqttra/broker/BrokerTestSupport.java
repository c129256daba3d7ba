package io.mqttra.broker;

import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.mqttra.broker.config.BrokerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Starts a broker on an ephemeral port for each test and disconnects the clients a test made. */
abstract class BrokerTestSupport {

    protected MqttBroker broker;
    protected int port;
    private final TestClients clients = new TestClients();

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
        clients.closeAll();
        broker.stop();
    }

    protected Mqtt5BlockingClient v5(String clientId) {
        return clients.v5(port, clientId);
    }

    protected Mqtt3BlockingClient v3(String clientId) {
        return clients.v3(port, clientId);
    }

    protected RawClient raw() throws java.io.IOException {
        return clients.closeLater(new RawClient("127.0.0.1", port));
    }
}
