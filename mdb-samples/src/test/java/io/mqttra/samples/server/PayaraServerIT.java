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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
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
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the last test restarts the broker without authentication
class PayaraServerIT {

    private static final long WAIT_SECONDS = 20;
    /** Every wrong password sent, so that the last test can check the whole log, flushed by the restart. */
    private static final Set<String> WRONG_PASSWORDS = ConcurrentHashMap.newKeySet();

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
        try (Client watcher = new Client("server-it-watcher");
                Client remote = new Client("server-it-remote")) {
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
        List<Map<String, Object>> list =
                (List<Map<String, Object>>) extraProperties(properties).get("properties");
        assertThat(list)
                .contains(
                        Map.of("name", "port", "value", Integer.toString(domain.mqttPort())),
                        Map.of("name", "authMode", "value", "realm"));
    }

    @Test
    void adminConsoleListsAdapterConfigAndConnectorResources() throws Exception {
        Assumptions.assumeTrue(
                AdminConsole.available(),
                "headless Chromium and its driver are needed: apt-get install chromium chromium-driver");
        PayaraServerDomain domain = PayaraServerDomain.current();
        Path screenshots = Path.of("target", "screenshots", "payara-server");
        try (AdminConsole console = new AdminConsole(screenshots)) {
            console.open(domain.adminPort());
            console.screenshot("01-home");

            console.click("Resource Adapter Configs", "Resource Adapter Configs");
            console.screenshot("02-resource-adapter-configs");
            assertThat(console.showsLink("mqtt-ra"))
                    .as("mqtt-ra under Resources > Resource Adapter Configs")
                    .isTrue();

            console.click("Connectors", "Connectors");
            console.click("Connector Resources", "Connector Resources");
            console.screenshot("03-connector-resources");
            assertThat(console.showsLink("mqtt/ConnectionFactory"))
                    .as("mqtt/ConnectionFactory under Resources > Connectors > Connector Resources")
                    .isTrue();
        }
    }

    @Test
    void realmUserLogsInWithMqtt5AndAWrongPasswordGetsBadUserNameOrPassword() throws Exception {
        PayaraServerDomain domain = PayaraServerDomain.current();
        String user = PayaraServerDomain.MQTT_USER;
        String wrong = wrongPassword();
        assertThat(MqttLogins.mqtt5("127.0.0.1", domain.mqttPort(), user, domain.mqttPassword()))
                .as("MQTT 5 CONNACK reason code for the realm user's password")
                .isZero();
        // MQTT 5 section 3.2.2.2.1: 0x86 Bad User Name or Password.
        assertThat(MqttLogins.mqtt5("127.0.0.1", domain.mqttPort(), user, wrong))
                .isEqualTo(0x86);
        assertThat(MqttLogins.mqtt5("127.0.0.1", domain.mqttPort(), "nobody", domain.mqttPassword()))
                .as("a user the realm does not know")
                .isEqualTo(0x86);
        assertNoPasswordLogged(domain, wrong);
    }

    @Test
    void realmUserLogsInWithMqtt311AndAWrongPasswordGetsReturnCode4() throws Exception {
        PayaraServerDomain domain = PayaraServerDomain.current();
        String user = PayaraServerDomain.MQTT_USER;
        String wrong = wrongPassword();
        assertThat(MqttLogins.mqtt311("127.0.0.1", domain.mqttPort(), user, domain.mqttPassword()))
                .isZero();
        // MQTT 3.1.1 section 3.2.2.3, table 3.1: return code 4, bad user name or password.
        assertThat(MqttLogins.mqtt311("127.0.0.1", domain.mqttPort(), user, wrong))
                .isEqualTo(4);
        assertNoPasswordLogged(domain, wrong);
    }

    /** With authentication configured, the broker honours a non-loopback bind address (0.0.0.0 here). */
    @Test
    void withAuthenticationTheListenerIsReachableFromTheNetwork() throws Exception {
        PayaraServerDomain domain = PayaraServerDomain.current();
        String address = MqttLogins.nonLoopbackAddress();
        assertThat(MqttLogins.mqtt5(address, domain.mqttPort(), PayaraServerDomain.MQTT_USER, domain.mqttPassword()))
                .as("login over " + address)
                .isZero();
        assertThat(MqttLogins.mqtt5(address, domain.mqttPort(), PayaraServerDomain.MQTT_USER, wrongPassword()))
                .as("refused login over " + address)
                .isEqualTo(0x86);
    }

    /**
     * TLS with no key store configured: the listener presents the domain's own certificate (key s1as of
     * config/keystore.p12), which mosquitto_sub verifies against that certificate exported with keytool.
     * [MQTT-3.3.1-6] the retained message reaches the new subscriber.
     */
    @Test
    void tlsListenerPresentsTheDomainCertificateToMosquitto() throws Exception {
        Assumptions.assumeTrue(Mosquitto.available(), "mosquitto_sub is needed: apt-get install mosquitto-clients");
        PayaraServerDomain domain = PayaraServerDomain.current();
        Path caFile = Mosquitto.exportCertificate(
                domain.keyStore(), "s1as", "changeit", domain.workDir().resolve("s1as.pem"));
        String host = Mosquitto.commonName(caFile); // the host name create-domain put in the certificate
        String topic = "server-it/tls/" + UUID.randomUUID();
        try (Client publisher = new Client("server-it-tls-publisher")) {
            publisher.publish(topic, "over TLS", true);
        }
        Mosquitto.Result sub = Mosquitto.subscribeOnce(
                host,
                domain.tlsPort(),
                caFile,
                PayaraServerDomain.MQTT_USER,
                domain.mqttPassword(),
                topic,
                Duration.ofSeconds(WAIT_SECONDS));
        assertThat(sub.output())
                .as("mosquitto_sub --cafile s1as.pem -h " + host + " (exit " + sub.exitCode() + ")")
                .isEqualTo(topic + " over TLS");
        assertThat(sub.exitCode()).isZero();
        assertThat(read(domain.serverLog()))
                .contains("MQTT TLS listeners use the server key store " + domain.keyStore());
    }

    /**
     * Without authentication the broker keeps to loopback although the adapter config says 0.0.0.0: the same domain,
     * restarted with authMode=none, refuses connections on its network address and takes them on 127.0.0.1.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    @Timeout(value = 8, unit = TimeUnit.MINUTES) // a domain restart: 20 s idle, minutes on a loaded machine
    void withoutAuthenticationTheListenerIsOnLoopbackOnly() throws Exception {
        PayaraServerDomain domain = PayaraServerDomain.current();
        String address = MqttLogins.nonLoopbackAddress();
        domain.restartWithAdapterProperty("authMode", "none");
        Awaitility.await()
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(2))
                .ignoreExceptions()
                .untilAsserted(() -> assertThat(MqttLogins.mqtt5("127.0.0.1", domain.mqttPort(), null, null))
                        .as("anonymous login on loopback")
                        .isZero());
        assertThat(MqttLogins.accepts(address, domain.mqttPort()))
                .as("TCP connection to " + address + ":" + domain.mqttPort())
                .isFalse();
        String log = read(domain.serverLog());
        assertThat(log).contains("listening on 127.0.0.1 instead of the configured 0.0.0.0");
        assertThat(log).as("the server log, complete since the restart").doesNotContain(domain.mqttPassword());
        WRONG_PASSWORDS.forEach(wrong -> assertThat(log).doesNotContain(wrong));
    }

    private static String wrongPassword() {
        String wrong = "wrong-" + UUID.randomUUID();
        WRONG_PASSWORDS.add(wrong);
        return wrong;
    }

    /** Waits until the refusals are in the log (it is written asynchronously), then looks for the passwords. */
    private static void assertNoPasswordLogged(PayaraServerDomain domain, String wrongPassword) {
        Awaitility.await()
                .atMost(Duration.ofSeconds(WAIT_SECONDS))
                .untilAsserted(() ->
                        assertThat(Files.readString(domain.serverLog())).contains("refused the user name or password"));
        assertThat(read(domain.serverLog())).doesNotContain(wrongPassword).doesNotContain(domain.mqttPassword());
        assertThat(read(domain.workDir().resolve("setup-domain.log"))).doesNotContain(domain.mqttPassword());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, Object> childResources(PayaraServerDomain domain, String resource)
            throws IOException, InterruptedException {
        @SuppressWarnings("unchecked")
        Map<String, Object> children =
                (Map<String, Object>) extraProperties(get(domain, resource)).get("childResources");
        return children == null ? Map.of() : children;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> extraProperties(Map<String, Object> answer) {
        return (Map<String, Object>) answer.get("extraProperties");
    }

    /** GET on Payara's admin REST interface, below /management/domain/resources/. */
    private static Map<String, Object> get(PayaraServerDomain domain, String path)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + domain.adminPort() + "/management/domain/resources/" + path))
                .header("Accept", "application/json")
                .timeout(Duration.ofSeconds(30))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET " + request.uri()).isEqualTo(200);
        return new Json().toType(response.body(), Json.MAP_TYPE);
    }

    private record Received(String topic, String payload, int qos, boolean retained) {}

    /** An MQTT 3.1.1 client (Paho) that queues what it receives. */
    private static final class Client implements AutoCloseable {

        private final MqttClient client;
        private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

        Client(String clientId) throws MqttException {
            client = new MqttClient(
                    "tcp://127.0.0.1:" + PayaraServerDomain.current().mqttPort(), clientId, new MemoryPersistence());
            client.setTimeToWait(10_000);
            MqttConnectOptions options = new MqttConnectOptions();
            options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            options.setUserName(PayaraServerDomain.MQTT_USER);
            options.setPassword(PayaraServerDomain.current().mqttPassword().toCharArray());
            client.connect(options);
        }

        void subscribe(String filter) throws MqttException {
            client.subscribe(
                    filter,
                    1,
                    (topic, message) -> received.add(new Received(
                            topic,
                            new String(message.getPayload(), StandardCharsets.UTF_8),
                            message.getQos(),
                            message.isRetained())));
        }

        void publish(String topic, String payload) throws MqttException {
            publish(topic, payload, false);
        }

        void publish(String topic, String payload, boolean retained) throws MqttException {
            MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
            message.setQos(1);
            message.setRetained(retained);
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
