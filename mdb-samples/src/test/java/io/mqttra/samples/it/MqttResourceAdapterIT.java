package io.mqttra.samples.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqttra.it.PayaraProcessGuard;
import io.mqttra.samples.buildingsensors.RoomAggregates;
import io.mqttra.samples.lightswitch.LightSwitch;
import io.mqttra.samples.sysmonitor.SysValues;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    /** The war's name, hence its context root. */
    private static final String CONTEXT_ROOT = "mqtt-it";

    /**
     * Only the port of this URL is used. Arquillian's Payara Micro container finds the context root by parsing the
     * server's console output, and drops it when a log line of another thread lands inside the block it parses
     * (seen once in CI: {@code http://192.0.2.2:8134} with no path).
     */
    @ArquillianResource
    private URL deployed;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return ShrinkWrap.create(WebArchive.class, CONTEXT_ROOT + ".war")
                .addPackage(LightSwitch.class.getPackage())
                .addPackage(RoomAggregates.class.getPackage())
                .addPackage(SysValues.class.getPackage())
                .addClasses(
                        InboundRecorder.class,
                        SlowRecorder.class,
                        Responder.class,
                        ReceivedMessages.class,
                        ReceivedResource.class,
                        ItApplication.class)
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
            assertThat(watcher.next(500, TimeUnit.MILLISECONDS))
                    .as("no status for invalid commands")
                    .isNull();
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
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(received().stream()
                                .filter(l -> l.startsWith("slow|"))
                                .count())
                        .isEqualTo(count));
        List<String> slow =
                received().stream().filter(l -> l.startsWith("slow|")).toList();
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

    /**
     * The building-sensors sample: JSON readings of two rooms become one retained summary per room, published through
     * the connection factory; the room comes from the filter's wildcard. A reading without humidity leaves it out.
     * [MQTT-3.3.1-5] [MQTT-3.3.1-6] the summaries are retained and reach a later subscriber.
     */
    @Test
    @Order(7)
    void buildingSensorsPublishARetainedSummaryPerRoom() throws Exception {
        String kitchen = "{\"room\":\"kitchen\",\"readings\":2,"
                + "\"temperature\":{\"min\":21.0,\"max\":23.0,\"mean\":22.0},"
                + "\"humidity\":{\"min\":40.0,\"max\":50.0,\"mean\":45.0}}";
        String bedroom =
                "{\"room\":\"bedroom\",\"readings\":1," + "\"temperature\":{\"min\":18.5,\"max\":18.5,\"mean\":18.5}}";
        try (Mqtt5TestClient dashboard = new Mqtt5TestClient(MQTT_PORT, "it-dashboard");
                Mqtt5TestClient sensors = new Mqtt5TestClient(MQTT_PORT, "it-sensors")) {
            dashboard.subscribe("house/+/summary", 1);
            drain(dashboard);
            sensors.publish("house/kitchen/sensor", "{\"temperature\":21.0,\"humidity\":40}", 1, false);
            sensors.publish("house/bedroom/sensor", "{\"temperature\":18.5}", 1, false);
            sensors.publish("house/kitchen/sensor", "{\"temperature\":23.0,\"humidity\":50}", 1, false);

            Map<String, String> latest = new HashMap<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (latest.size() < 2 || !kitchen.equals(latest.get("house/kitchen/summary"))) {
                Mqtt5TestClient.Received summary = dashboard.next(
                        Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())),
                        TimeUnit.MILLISECONDS);
                assertThat(summary).as("summaries so far: " + latest).isNotNull();
                latest.put(summary.topic(), summary.payload());
            }
            assertThat(latest).containsEntry("house/bedroom/summary", bedroom);
        }
        try (Mqtt5TestClient late = new Mqtt5TestClient(MQTT_PORT, "it-late-dashboard")) {
            late.subscribe("house/kitchen/summary", 1);
            Mqtt5TestClient.Received retained = late.next(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(retained).as("retained kitchen summary").isNotNull();
            assertThat(retained.payload()).isEqualTo(kitchen);
            assertThat(retained.retained()).isTrue();
        }
        assertThat(get("api/rooms/kitchen")).isEqualTo(kitchen);
        assertThat(get("api/rooms")).isEqualTo("[" + bedroom + "," + kitchen + "]");
    }

    /**
     * The $SYS monitor sample keeps the broker's $SYS values: the version, and the connected clients as they come and
     * go (the test runs with a $SYS interval of 1 s). [MQTT-4.7.2-1] the filter names $SYS: wildcards would not match.
     */
    @Test
    @Order(8)
    void sysMonitorSeesTheBrokerVersionAndConnectedClients() throws Exception {
        String connected = "$SYS/broker/clients/connected";
        await().atMost(Duration.ofSeconds(WAIT_SECONDS))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(get("api/sys")).contains("\"$SYS/broker/version\":\"mqtt-ra version "));
        try (Mqtt5TestClient a = new Mqtt5TestClient(MQTT_PORT, "it-sys-a");
                Mqtt5TestClient b = new Mqtt5TestClient(MQTT_PORT, "it-sys-b")) {
            await().atMost(Duration.ofSeconds(WAIT_SECONDS))
                    .pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(get("api/sys")).contains("\"" + connected + "\":\"2\""));
        }
        await().atMost(Duration.ofSeconds(WAIT_SECONDS))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(get("api/sys")).contains("\"" + connected + "\":\"0\""));
    }

    /**
     * A reading JSON-B cannot bind goes to the bean's dead-letter topic at once, with the reason (delivering it again
     * would fail the same way); the next good reading of the room is taken as usual.
     */
    @Test
    @Order(9)
    void aReadingThatIsNotJsonIsDeadLetteredAtOnce() throws Exception {
        try (Mqtt5TestClient operator = new Mqtt5TestClient(MQTT_PORT, "it-operator");
                Mqtt5TestClient sensor = new Mqtt5TestClient(MQTT_PORT, "it-attic-sensor")) {
            operator.subscribe("$dead-letter/mdb:building-sensors", 1);
            sensor.publish("house/attic/sensor", "warm", 1, false);
            Mqtt5TestClient.Received dead = operator.next(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(dead).as("dead letter of a reading that is not JSON").isNotNull();
            assertThat(dead.payload()).isEqualTo("warm");
            assertThat(dead.userProperties())
                    .contains("mqtt-ra-original-topic=house/attic/sensor", "mqtt-ra-delivery-attempts=1");
            assertThat(dead.userProperties())
                    .anyMatch(p -> p.startsWith("mqtt-ra-dead-letter-reason=the payload cannot"));
            sensor.publish("house/attic/sensor", "{\"temperature\":30.5}", 1, false);
            assertThat(operator.next(1, TimeUnit.SECONDS))
                    .as("a good reading is no dead letter")
                    .isNull();
        }
        await().atMost(Duration.ofSeconds(WAIT_SECONDS))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(get("api/rooms/attic"))
                        .isEqualTo("{\"room\":\"attic\",\"readings\":1,"
                                + "\"temperature\":{\"min\":30.5,\"max\":30.5,\"mean\":30.5}}"));
    }

    private static void drain(Mqtt5TestClient client) throws InterruptedException {
        while (client.next(1, TimeUnit.SECONDS) != null) {
            // discard
        }
    }

    private void awaitReceived(String line) {
        await().atMost(Duration.ofSeconds(WAIT_SECONDS))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(received()).contains(line));
    }

    private List<String> received() throws Exception {
        String body = get("api/received");
        return body.isEmpty() ? List.of() : List.of(body.split("\n"));
    }

    private String get(String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(
                                        "http://127.0.0.1:" + deployed.getPort() + "/" + CONTEXT_ROOT + "/" + path))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
