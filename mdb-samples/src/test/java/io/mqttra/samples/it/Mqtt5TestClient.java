package io.mqttra.samples.it;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/** A real MQTT 5 client (Eclipse Paho) that keeps what it receives in a queue; the device of every IT. */
public final class Mqtt5TestClient implements AutoCloseable {

    /** A message as the client received it, with the MQTT 5 properties the tests look at. */
    public record Received(
            String topic,
            String payload,
            int qos,
            boolean retained,
            String contentType,
            byte[] correlationData,
            List<String> userProperties) {

        /** The user properties by name (no name here holds "="); a name sent twice keeps its last value. */
        public Map<String, String> userPropertyMap() {
            Map<String, String> map = new HashMap<>();
            userProperties.forEach(p -> {
                int eq = p.indexOf('=');
                map.put(p.substring(0, eq), p.substring(eq + 1));
            });
            return map;
        }
    }

    private final MqttClient client;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    public Mqtt5TestClient(int port, String clientId) throws MqttException {
        this(port, clientId, 0);
    }

    /**
     * A client whose session lasts {@code sessionExpirySeconds} after it disconnects (0: a new session that ends
     * with the connection); with a positive expiry it resumes the session it left (Clean Start 0).
     */
    public Mqtt5TestClient(int port, String clientId, long sessionExpirySeconds) throws MqttException {
        client = new MqttClient("tcp://127.0.0.1:" + port, clientId, new MemoryPersistence());
        client.setCallback(new Callback());
        // A test fails rather than hangs when the broker does not answer; the bounds are generous for a loaded machine.
        client.setTimeToWait(60_000);
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(sessionExpirySeconds == 0);
        options.setSessionExpiryInterval(sessionExpirySeconds);
        options.setConnectionTimeout(30);
        options.setKeepAliveInterval(120);
        client.connect(options);
    }

    public void subscribe(String filter, int qos) throws MqttException {
        client.subscribe(filter, qos);
    }

    /** Publishes and returns once the broker completed the QoS flow (PUBACK / PUBCOMP). */
    public void publish(String topic, String payload, int qos, boolean retain) throws MqttException {
        client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retain);
    }

    /** Publishes an MQTT 5 request: response topic, correlation data, content type and one user property. */
    public void request(String topic, String payload, String responseTopic, byte[] correlationData)
            throws MqttException {
        MqttProperties properties = new MqttProperties();
        properties.setResponseTopic(responseTopic);
        properties.setCorrelationData(correlationData);
        properties.setContentType("text/plain");
        properties.setUserProperties(List.of(new UserProperty("trace", "it-42")));
        MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        message.setProperties(properties);
        client.publish(topic, message);
    }

    /** The next message received, or null after the timeout. */
    public Received next(long timeout, TimeUnit unit) throws InterruptedException {
        return received.poll(timeout, unit);
    }

    @Override
    public void close() throws MqttException {
        try {
            if (client.isConnected()) {
                client.disconnect();
            }
        } finally {
            client.close();
        }
    }

    private final class Callback implements MqttCallback {
        @Override
        public void messageArrived(String topic, MqttMessage message) {
            MqttProperties p = message.getProperties();
            List<String> user = p == null || p.getUserProperties() == null
                    ? List.of()
                    : p.getUserProperties().stream()
                            .map(u -> u.getKey() + "=" + u.getValue())
                            .toList();
            received.add(new Received(
                    topic,
                    new String(message.getPayload(), StandardCharsets.UTF_8),
                    message.getQos(),
                    message.isRetained(),
                    p == null ? null : p.getContentType(),
                    p == null ? null : p.getCorrelationData(),
                    user));
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {}

        @Override
        public void mqttErrorOccurred(MqttException exception) {}

        @Override
        public void deliveryComplete(IMqttToken token) {}

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {}

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {}
    }
}
