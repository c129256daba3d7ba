package io.mqttra.console.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.mqttra.it.PayaraProcessGuard;
import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The console WAR with the resource adapter in one real Payara Micro (started by Arquillian; the RAR, the
 * administered object mqtt/Admin and the console's administrator come from a post-boot command file), driven by
 * real MQTT clients over TCP (on the port the broker picked, read from the admin API), and checked over HTTP: admin API, /health, /metrics,
 * and the console page itself in headless Chromium ({@link ConsoleBrowser}).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {

    private static final String CONTEXT_ROOT = "mqtt-console";
    static final String USER = System.getProperty("it.admin.user", "mqtt-admin");
    static final String PASSWORD = System.getProperty("it.admin.password", "");
    private static final List<Mqtt5BlockingClient> CLIENTS = new ArrayList<>();

    static {
        PayaraProcessGuard.install();
    }

    /** The broker listens on port 0 (picked by the system at start); the admin API tells which port that is. */
    private static int mqttPort;

    /**
     * Only the port of this URL is used. Arquillian's Payara Micro container finds the context root by parsing the
     * server's console output, and drops it when a log line of another thread lands inside the block it parses.
     */
    @ArquillianResource
    private URL deployed;

    private final HttpClient http = HttpClient.newHttpClient();

    @Deployment(testable = false)
    static WebArchive deployment() {
        // The WAR exactly as built (target/mqtt-console.war); its name gives the context root /mqtt-console.
        return ShrinkWrap.create(ZipImporter.class, CONTEXT_ROOT + ".war")
                .importFrom(new File(System.getProperty("it.war", "target/mqtt-console.war")))
                .as(WebArchive.class);
    }

    @AfterAll
    static void disconnectClients() {
        for (Mqtt5BlockingClient c : CLIENTS) {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        }
    }

    @Test
    @Order(1)
    void adminApiListsAConnectedMqttClient() throws Exception {
        Mqtt5BlockingClient device = connect("console-it-device");

        HttpResponse<String> clients = get("api/clients");

        assertThat(clients.statusCode()).isEqualTo(200);
        assertThat(clients.body())
                .contains("\"clientId\":\"console-it-device\"")
                .contains("\"protocolVersion\":\"5.0\"")
                .contains("\"keepAliveSeconds\":20");
        assertThat(device.getState().isConnected()).isTrue();
    }

    @Test
    @Order(2)
    void adminApiNeedsTheAdministratorAndTheCsrfHeader() throws Exception {
        HttpResponse<String> anonymous = http.send(
                HttpRequest.newBuilder(uri("api/clients")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);

        HttpResponse<String> withoutHeader = http.send(
                authorized("api/clients?clientId=console-it-device").DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(withoutHeader.statusCode()).isEqualTo(403);
        assertThat(get("api/clients").body()).contains("console-it-device");
    }

    /** MQTT 5 clients learn why they were disconnected: DISCONNECT 0x98 Administrative action. */
    @Test
    @Order(3)
    void disconnectThroughTheAdminApiClosesTheClientsConnection() throws Exception {
        CompletableFuture<Throwable> cause = new CompletableFuture<>();
        Mqtt5BlockingClient victim = MqttClient.builder()
                .useMqttVersion5()
                .identifier("console-it-victim")
                .serverHost("127.0.0.1")
                .serverPort(mqttPort())
                .addDisconnectedListener(ctx -> cause.complete(ctx.getCause()))
                .buildBlocking();
        victim.connect();

        assertThat(delete("api/clients?clientId=console-it-victim").statusCode())
                .isEqualTo(204);

        Throwable t = cause.get(10, TimeUnit.SECONDS);
        assertThat(t).isInstanceOf(Mqtt5DisconnectException.class);
        assertThat(((Mqtt5DisconnectException) t).getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5DisconnectReasonCode.ADMINISTRATIVE_ACTION);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(get("api/clients").body()).doesNotContain("console-it-victim"));
        assertThat(delete("api/clients?clientId=console-it-victim").statusCode())
                .isEqualTo(404);
    }

    @Test
    @Order(4)
    void retainedMessagesCanBeBrowsedAndDeleted() throws Exception {
        Mqtt5BlockingClient publisher = connect("console-it-retainer");
        publisher
                .publishWith()
                .topic("it/console/lamp")
                .payload("ON".getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE)
                .retain(true)
                .send();
        publisher
                .publishWith()
                .topic("it/console/pump")
                .payload("OFF".getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE)
                .retain(true)
                .send();

        String browse = "api/retained?limit=10&filter=" + URLEncoder.encode("it/console/#", StandardCharsets.UTF_8);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(get(browse).body())
                        .contains("\"topic\":\"it/console/lamp\"")
                        .contains("\"payloadPreview\":\"ON\""));

        assertThat(delete("api/retained?topic=it/console/lamp").statusCode()).isEqualTo(204);

        assertThat(get(browse).body()).doesNotContain("it/console/lamp").contains("it/console/pump");
        assertThat(delete("api/retained?topic=it/console/lamp").statusCode()).isEqualTo(404);
        HttpResponse<String> bad = get("api/retained?filter=" + URLEncoder.encode("a/#/b", StandardCharsets.UTF_8));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("not a valid MQTT topic filter");
    }

    @Test
    @Order(5)
    void offlineSessionsAndSubscriptionsAreListedAndASessionCanBePurged() throws Exception {
        Mqtt5BlockingClient sleeper = MqttClient.builder()
                .useMqttVersion5()
                .identifier("console-it-sleeper")
                .serverHost("127.0.0.1")
                .serverPort(mqttPort())
                .buildBlocking();
        sleeper.connectWith().cleanStart(true).sessionExpiryInterval(600).send();
        sleeper.subscribeWith()
                .topicFilter("it/console/sleeper/#")
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();
        sleeper.disconnect();

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(get("api/sessions").body())
                        .contains("{\"clientId\":\"console-it-sleeper\",\"connected\":false"));
        assertThat(get("api/subscriptions").body()).contains("\"topicFilter\":\"it/console/sleeper/#\"");

        assertThat(delete("api/sessions?clientId=console-it-sleeper").statusCode())
                .isEqualTo(204);

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(get("api/sessions").body()).doesNotContain("console-it-sleeper"));
        assertThat(get("api/subscriptions").body()).doesNotContain("it/console/sleeper/#");
        assertThat(delete("api/sessions?clientId=console-it-sleeper").statusCode())
                .isEqualTo(404);
        assertThat(get("api/metrics").body()).contains("\"messagesInByQos\":[");
    }

    @Test
    @Order(6)
    void readinessIsUpWithListenerAndStore() throws Exception {
        HttpResponse<String> ready = http.send(
                HttpRequest.newBuilder(root("health/ready")).GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body())
                .contains("\"mqtt-broker\"")
                .contains("\"UP\"")
                .contains("tcp://127.0.0.1:" + mqttPort());
        HttpResponse<String> live = http.send(
                HttpRequest.newBuilder(root("health/live")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(live.statusCode()).isEqualTo(200);
    }

    @Test
    @Order(7)
    void metricsShowTheMqttConnectionGauge() throws Exception {
        connect("console-it-metrics");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String metrics = http.send(
                            HttpRequest.newBuilder(root("metrics")).GET().build(), HttpResponse.BodyHandlers.ofString())
                    .body();
            Matcher m = Pattern.compile("(?m)^mqtt_connections(\\{[^}]*})? ([0-9.]+)")
                    .matcher(metrics);
            assertThat(m.find()).as("mqtt_connections in /metrics").isTrue();
            assertThat(Double.parseDouble(m.group(2))).isGreaterThanOrEqualTo(2);
            assertThat(metrics).contains("mqtt_messages_in").contains("qos=\"1\"");
        });
    }

    /**
     * A retained QoS 1 message is acknowledged only once the store committed it: the store's commits and their
     * times move on /metrics, in seconds. Without message-driven beans in this server, their counters read 0.
     */
    @Test
    @Order(7)
    void metricsShowStoreCommitTimesAndBeanDeliveryCounters() throws Exception {
        String before = metricsText();
        long commits = (long) gauge(before, "mqtt_store_commits");
        long writes = (long) gauge(before, "mqtt_store_committed_writes");
        Mqtt5BlockingClient publisher = connect("console-it-committer");
        publisher
                .publishWith()
                .topic("it/console/committed")
                .payload("1".getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE)
                .retain(true)
                .send();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String metrics = metricsText();
            assertThat((long) gauge(metrics, "mqtt_store_commits")).isGreaterThan(commits);
            assertThat((long) gauge(metrics, "mqtt_store_committed_writes")).isGreaterThan(writes);
            double max = gauge(metrics, "mqtt_store_commit_time_max_seconds");
            assertThat(max).as("longest commit, seconds").isPositive().isLessThan(60);
            assertThat(gauge(metrics, "mqtt_store_commit_time_last_seconds"))
                    .isPositive()
                    .isLessThanOrEqualTo(max);
            assertThat(gauge(metrics, "mqtt_store_commit_time_mean_seconds"))
                    .isPositive()
                    .isLessThanOrEqualTo(max);
            assertThat(gauge(metrics, "mqtt_store_commit_time_seconds")).isGreaterThanOrEqualTo(max);
            assertThat(gauge(metrics, "mqtt_mdb_deliveries")).isZero();
            assertThat(gauge(metrics, "mqtt_mdb_redeliveries")).isZero();
            assertThat(gauge(metrics, "mqtt_mdb_dead_letters")).isZero();
        });
    }

    @Test
    @Order(8)
    void consoleInChromiumShowsTheClientAndDisconnectsIt() throws Exception {
        // CI installs Debian's chromium and chromium-driver (.ci/run); elsewhere the browser check is skipped without
        // them.
        assumeTrue(
                "true".equals(System.getenv("CI"))
                        || java.nio.file.Files.isExecutable(Path.of(ConsoleBrowser.CHROMEDRIVER)),
                "no " + ConsoleBrowser.CHROMEDRIVER + ": apt-get install chromium chromium-driver");
        connect("console-it-browser");
        Mqtt5BlockingClient traffic = connect("console-it-traffic");
        traffic.subscribeWith()
                .topicFilter("it/console/#")
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();
        // Steady traffic (about 20 messages per second), so that the rate chart has something to draw.
        Thread load = new Thread(
                () -> {
                    try {
                        while (!Thread.currentThread().isInterrupted()) {
                            traffic.publishWith()
                                    .topic("it/console/load")
                                    .payload(new byte[16])
                                    .qos(MqttQos.AT_LEAST_ONCE)
                                    .send();
                            Thread.sleep(50);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (RuntimeException e) {
                        // the client went away with the test
                    }
                },
                "console-it-load");
        load.start();
        try (ConsoleBrowser browser = ConsoleBrowser.open(uri("").toURL(), USER, PASSWORD)) {
            browser.awaitClientRow("console-it-browser");
            browser.awaitRatePoints(5);
            browser.screenshot("console-before-disconnect.png");

            browser.clickDisconnect("console-it-browser");

            browser.awaitNoClientRow("console-it-browser");
            browser.awaitMessage("disconnect console-it-browser: done");
            browser.screenshot("console.png");
        } finally {
            load.interrupt();
            load.join(5_000);
        }
        assertThat(get("api/clients").body())
                .doesNotContain("console-it-browser")
                .contains("console-it-traffic");
    }

    private String metricsText() throws Exception {
        HttpResponse<String> response =
                http.send(HttpRequest.newBuilder(root("metrics")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The value of an untagged gauge in Prometheus text. */
    private static double gauge(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? ([0-9.Ee+-]+)$")
                .matcher(metrics);
        assertThat(m.find()).as(name + " in /metrics").isTrue();
        return Double.parseDouble(m.group(2));
    }

    private int mqttPort() throws Exception {
        if (mqttPort == 0) {
            HttpResponse<String> overview = get("api/overview");
            assertThat(overview.statusCode())
                    .as("GET api/overview: " + overview.body())
                    .isEqualTo(200);
            Matcher m = Pattern.compile("tcp://127\\.0\\.0\\.1:(\\d+)").matcher(overview.body());
            assertThat(m.find()).as("MQTT listener in " + overview.body()).isTrue();
            mqttPort = Integer.parseInt(m.group(1));
        }
        return mqttPort;
    }

    private Mqtt5BlockingClient connect(String clientId) throws Exception {
        Mqtt5BlockingClient c = MqttClient.builder()
                .useMqttVersion5()
                .identifier(clientId)
                .serverHost("127.0.0.1")
                .serverPort(mqttPort())
                .buildBlocking();
        c.connectWith().keepAlive(20).send();
        CLIENTS.add(c);
        return c;
    }

    private URI uri(String path) {
        return root(CONTEXT_ROOT + "/" + path);
    }

    /** Server-wide endpoints (/health, /metrics) are at the root, outside the console's context. */
    private URI root(String path) {
        return URI.create("http://127.0.0.1:" + deployed.getPort() + "/" + path);
    }

    private HttpRequest.Builder authorized(String path) {
        String token = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(uri(path))
                .header("Authorization", "Basic " + token)
                .header("Accept", "application/json");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(authorized(path).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> delete(String path) throws Exception {
        return http.send(
                authorized(path).header("X-Requested-By", "console-it").DELETE().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
