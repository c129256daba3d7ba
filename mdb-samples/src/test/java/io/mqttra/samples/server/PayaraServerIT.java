package io.mqttra.samples.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttra.samples.lightswitch.LightSwitch;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.json.Json;

/**
 * The Payara Server path: a full Payara Server domain set up by {@code server-config/payara-server/setup-domain.sh}
 * (thread pool, adapter config, mqtt-ra.rar, connector pool and resources, console EAR), the light-switch sample
 * (this build's mdb-samples.war) deployed by Arquillian's remote container, and real MQTT clients over TCP.
 */
@ExtendWith({PayaraServerDomain.class, ArquillianExtension.class}) // domain first: Arquillian needs its admin port
@RunAsClient
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PayaraServerIT {

    private static final long WAIT_SECONDS = 20;

    @Deployment(testable = false)
    static WebArchive samples() {
        return ShrinkWrap.createFromZipFile(WebArchive.class, new File(System.getProperty("it.server.samplesWar")));
    }

    /**
     * The MDB receives the command, publishes its status through mqtt/ConnectionFactory (the connector resource the
     * script made) and the broker keeps it: [MQTT-3.3.1-5] retained, [MQTT-3.3.1-6] sent to a later subscriber,
     * [MQTT-3.3.1-8] with RETAIN set because of the new subscription.
     */
    @Test
    void lightSwitchReceivesCommandAndPublishesRetainedStatus() throws Exception {
        try (Client watcher = new Client("server-it-watcher"); Client remote = new Client("server-it-remote")) {
            watcher.subscribe(LightSwitch.STATUS_TOPIC);
            remote.publish(LightSwitch.SET_TOPIC, "{\"set\":\"ON\"}");

            Received status = watcher.next();
            assertThat(status).as("status after {\"set\":\"ON\"}").isNotNull();
            assertThat(status.topic()).isEqualTo(LightSwitch.STATUS_TOPIC);
            assertThat(status.payload()).isEqualTo("{\"status\":\"ON\"}");
            assertThat(status.qos()).isEqualTo(1);
        }
        try (Client late = new Client("server-it-late")) {
            late.subscribe(LightSwitch.STATUS_TOPIC);
            Received retained = late.next();
            assertThat(retained).as("retained status for a late subscriber").isNotNull();
            assertThat(retained.payload()).isEqualTo("{\"status\":\"ON\"}");
            assertThat(retained.retained()).isTrue();
        }
    }

    @Test
    void adminRestInterfaceListsAdapterConfigAndConnectorResources() throws Exception {
        PayaraServerDomain domain = PayaraServerDomain.current();
        assertThat(childResources(domain, "resource-adapter-config")).containsKey("mqtt-ra");
        assertThat(childResources(domain, "connector-connection-pool")).containsKey("mqtt-pool");
        assertThat(childResources(domain, "connector-resource")).containsKey("mqtt/ConnectionFactory");
        assertThat(childResources(domain, "admin-object-resource")).containsKey("mqtt/Admin");

        // The adapter config carries the MQTT port the broker listens on: the one the light switch test used.
        Map<String, Object> properties = get(domain, "resource-adapter-config/mqtt-ra/property");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list = (List<Map<String, Object>>) extraProperties(properties).get("properties");
        assertThat(list).contains(Map.of("name", "port", "value", Integer.toString(domain.mqttPort())));
    }

    @Test
    void adminConsoleListsAdapterConfigAndConnectorResources() throws Exception {
        Assumptions.assumeTrue(AdminConsole.available(),
                "headless Chromium and its driver are needed: apt-get install chromium chromium-driver");
        PayaraServerDomain domain = PayaraServerDomain.current();
        Path screenshots = Path.of("target", "screenshots", "payara-server");
        try (AdminConsole console = new AdminConsole(screenshots)) {
            console.open(domain.adminPort());
            console.screenshot("01-home");

            console.click("Resource Adapter Configs", "Resource Adapter Configs");
            console.screenshot("02-resource-adapter-configs");
            assertThat(console.showsLink("mqtt-ra")).as("mqtt-ra under Resources > Resource Adapter Configs").isTrue();

            console.click("Connectors", "Connectors");
            console.click("Connector Resources", "Connector Resources");
            console.screenshot("03-connector-resources");
            assertThat(console.showsLink("mqtt/ConnectionFactory"))
                    .as("mqtt/ConnectionFactory under Resources > Connectors > Connector Resources").isTrue();
        }
    }

    private static Map<String, Object> childResources(PayaraServerDomain domain, String resource)
            throws IOException, InterruptedException {
        @SuppressWarnings("unchecked")
        Map<String, Object> children = (Map<String, Object>) extraProperties(get(domain, resource))
                .get("childResources");
        return children == null ? Map.of() : children;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> extraProperties(Map<String, Object> answer) {
        return (Map<String, Object>) answer.get("extraProperties");
    }

    /** GET on Payara's admin REST interface, below /management/domain/resources/. */
    private static Map<String, Object> get(PayaraServerDomain domain, String path)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + domain.adminPort()
                        + "/management/domain/resources/" + path))
                .header("Accept", "application/json").timeout(Duration.ofSeconds(30)).build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET " + request.uri()).isEqualTo(200);
        return new Json().toType(response.body(), Json.MAP_TYPE);
    }

    private record Received(String topic, String payload, int qos, boolean retained) {
    }

    /** An MQTT 3.1.1 client (Paho) that queues what it receives. */
    private static final class Client implements AutoCloseable {

        private final MqttClient client;
        private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

        Client(String clientId) throws MqttException {
            client = new MqttClient("tcp://127.0.0.1:" + PayaraServerDomain.current().mqttPort(), clientId,
                    new MemoryPersistence());
            client.setTimeToWait(10_000);
            MqttConnectOptions options = new MqttConnectOptions();
            options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            client.connect(options);
        }

        void subscribe(String filter) throws MqttException {
            client.subscribe(filter, 1, (topic, message) -> received.add(new Received(topic,
                    new String(message.getPayload(), StandardCharsets.UTF_8), message.getQos(), message.isRetained())));
        }

        void publish(String topic, String payload) throws MqttException {
            MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
            message.setQos(1);
            client.publish(topic, message);
        }

        Received next() throws InterruptedException {
            return received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws MqttException {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close();
        }
    }
}
