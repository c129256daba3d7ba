package io.mqttra.samples.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqttra.samples.lightswitch.LightSwitch;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The resource adapter in a real Payara Micro (started by Arquillian, RAR deployed by a post-boot command file),
 * driven by real MQTT clients in this JVM over TCP on the port the build reserved ({@code it.mqtt.port}).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class MqttResourceAdapterIT {

    private static final int MQTT_PORT = Integer.getInteger("it.mqtt.port", 1883);
    private static final long WAIT_SECONDS = 20;

    static {
        PayaraProcessGuard.install();
    }

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return ShrinkWrap.create(WebArchive.class, "mqtt-it.war")
                .addPackage(LightSwitch.class.getPackage())
                .addClasses(InboundRecorder.class, SlowRecorder.class, Responder.class, ReceivedMessages.class,
                        ReceivedResource.class, ItApplication.class)
                .addAsWebInfResource("it/glassfish-ejb-jar.xml", "glassfish-ejb-jar.xml")
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml");
    }

    @Test
    @Order(1)
    void mqtt5ClientPublishReachesMessageDrivenBean() throws Exception {
        try (Mqtt5TestClient device = new Mqtt5TestClient(MQTT_PORT, "it-device-5")) {
            device.publish("it/inbound/kitchen", "21.5", 1, false);
        }
        awaitReceived("message|it/inbound/kitchen|1|21.5");
    }

    @Test
    @Order(2)
    void mqtt311ClientPublishReachesMessageDrivenBeanWithStringAndBytesParameters() throws Exception {
        MqttClient device = new MqttClient("tcp://127.0.0.1:" + MQTT_PORT, "it-device-311", new MemoryPersistence());
        device.setTimeToWait(10_000);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        device.connect(options);
        try {
            device.publish("it/text/hello", "grüß dich".getBytes(StandardCharsets.UTF_8), 1, false);
            device.publish("it/bytes", new byte[] {1, 2, 3}, 2, false);
        } finally {
            device.disconnect();
            device.close();
        }
        awaitReceived("text||-1|grüß dich");
        awaitReceived("bytes||-1|3 bytes");
    }

    /** [MQTT-3.3.1-5] the retained status is stored; [MQTT-3.3.1-6] [MQTT-3.3.1-8] a new subscriber gets it, flagged. */
    @Test
    @Order(3)
    void lightSwitchPublishesRetainedStatusThroughConnectionFactory() throws Exception {
        try (Mqtt5TestClient watcher = new Mqtt5TestClient(MQTT_PORT, "it-watcher");
             Mqtt5TestClient remote = new Mqtt5TestClient(MQTT_PORT, "it-remote")) {
            watcher.subscribe(LightSwitch.STATUS_TOPIC, 1);
            drain(watcher); // a status retained by an earlier run of the switch

            remote.publish(LightSwitch.SET_TOPIC, "{\"set\":\"ON\"}", 1, false);
            Mqtt5TestClient.Received status = watcher.next(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(status).as("status after {\"set\":\"ON\"}").isNotNull();
            assertThat(status.topic()).isEqualTo(LightSwitch.STATUS_TOPIC);
            assertThat(status.payload()).isEqualTo("{\"status\":\"ON\"}");
            assertThat(status.qos()).isEqualTo(1);
        }
        try (Mqtt5TestClient late = new Mqtt5TestClient(MQTT_PORT, "it-late")) {
            late.subscribe(LightSwitch.STATUS_TOPIC, 1);
            Mqtt5TestClient.Received retained = late.next(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(retained).as("retained status for a late subscriber").isNotNull();
            assertThat(retained.payload()).isEqualTo("{\"status\":\"ON\"}");
            assertThat(retained.retained()).isTrue();
        }
    }

    @Test
    @Order(4)
    void lightSwitchIgnoresInvalidCommands() throws Exception {
        try (Mqtt5TestClient watcher = new Mqtt5TestClient(MQTT_PORT, "it-watcher-2");
             Mqtt5TestClient remote = new Mqtt5TestClient(MQTT_PORT, "it-remote-2")) {
            watcher.subscribe(LightSwitch.STATUS_TOPIC, 1);
            drain(watcher);
            remote.publish(LightSwitch.SET_TOPIC, "not json", 1, false);
            remote.publish(LightSwitch.SET_TOPIC, "{\"set\":\"DIM\"}", 1, false);
            remote.publish(LightSwitch.SET_TOPIC, "{\"colour\":\"red\"}", 1, false);
            // The switch takes one command at a time, in order: the first status after the bad ones is OFF's.
            remote.publish(LightSwitch.SET_TOPIC, "{\"set\":\"OFF\"}", 1, false);
            Mqtt5TestClient.Received status = watcher.next(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(status).as("status after {\"set\":\"OFF\"}").isNotNull();
            assertThat(status.payload()).isEqualTo("{\"status\":\"OFF\"}");
            assertThat(watcher.next(500, TimeUnit.MILLISECONDS)).as("no status for invalid commands").isNull();
        }
    }

    /** The bean pool (4) is smaller than the deliveries the adapter attempts (16): refused endpoints are retried. */
    @Test
    @Order(5)
    void exhaustedBeanPoolSlowsDeliveryButLosesNoMessage() throws Exception {
        int count = 40;
        try (Mqtt5TestClient device = new Mqtt5TestClient(MQTT_PORT, "it-burst")) {
            for (int i = 0; i < count; i++) {
                device.publish("it/slow/" + (i % 4), "burst-" + i, 1, false);
            }
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(received().stream().filter(l -> l.startsWith("slow|")).count())
                        .isEqualTo(count));
        List<String> slow = received().stream().filter(l -> l.startsWith("slow|")).toList();
        for (int i = 0; i < count; i++) {
            assertThat(slow).contains("slow||-1|burst-" + i);
        }
        int concurrency = Integer.parseInt(get("api/received/concurrency"));
        assertThat(concurrency).as("bean instances at once").isBetween(2, 4);
    }

    /**
     * MQTT 5 request/response through a bean: the request's properties reach the bean, and its answer through the
     * connection factory carries the correlation data back. [MQTT-3.3.2-15] [MQTT-3.3.2-16] [MQTT-3.3.2-17]
     * [MQTT-3.3.2-18] [MQTT-3.3.2-20] the broker forwards these properties unaltered.
     */
    @Test
    @Order(6)
    void mqtt5PropertiesFlowIntoTheBeanAndBackThroughTheConnectionFactory() throws Exception {
        byte[] correlation = {7, 0, 42};
        try (Mqtt5TestClient requester = new Mqtt5TestClient(MQTT_PORT, "it-requester")) {
            requester.subscribe("it/response/requester", 1);
            requester.request("it/request", "ping", "it/response/requester", correlation);
            Mqtt5TestClient.Received response = requester.next(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(response).as("response").isNotNull();
            assertThat(response.payload()).isEqualTo("echo:ping");
            assertThat(response.correlationData()).isEqualTo(correlation);
            assertThat(response.contentType()).isEqualTo("text/plain");
            assertThat(response.userProperties()).containsExactly("handled-by=Responder");
        }
        awaitReceived("request|it/request|1|text/plain;trace=it-42");
    }

    private static void drain(Mqtt5TestClient client) throws InterruptedException {
        while (client.next(1, TimeUnit.SECONDS) != null) {
            // discard
        }
    }

    private void awaitReceived(String line) {
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(received()).contains(line));
    }

    private List<String> received() throws Exception {
        String body = get("api/received");
        return body.isEmpty() ? List.of() : List.of(body.split("\n"));
    }

    private String get(String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(base.toExternalForm() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
