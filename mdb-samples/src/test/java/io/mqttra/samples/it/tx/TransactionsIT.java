package io.mqttra.samples.it.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqttra.it.RestartSafePort;
import io.mqttra.it.TestDirs;
import io.mqttra.samples.it.Mqtt5TestClient;
import io.mqttra.samples.orders.OrderService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Exactly-once between devices and Jakarta EE, in a real Payara Micro with the RAR, an XA H2 data source and real MQTT
 * clients: transactional publishing (commit, rollback, two-phase commit with JPA, crash between prepare and commit
 * resolved by the server's recovery) and transacted delivery to message-driven beans (redelivery, dead letters,
 * one row per message across a {@code kill -9}).
 *
 * <p>The server runs in its own process (not Arquillian's) because the test crashes and restarts it; it keeps its
 * domain, transaction log and databases under {@code target/it/tx-*} between the two lives. Ports are free ones
 * (Hazelcast's is reserved by the build, see {@code tx-pre-boot.asadmin}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TransactionsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static Path itDir;
    private static int mqttPort;
    private static int httpPort;
    private static PayaraMicroProcess payara;
    private static int lives;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void startServer() throws Exception {
        itDir = Path.of(System.getProperty("payara.microJar", "target/it/payara-micro.jar"))
                .toAbsolutePath()
                .getParent();
        for (String d : List.of("tx-root", "tx-data", "tx-broker")) {
            TestDirs.deleteRecursively(itDir.resolve(d));
        }
        mqttPort = RestartSafePort.pick();
        httpPort = RestartSafePort.pick();
        Path war = itDir.resolve("tx-it.war");
        ShrinkWrap.create(WebArchive.class, "tx-it.war")
                .addPackage(OrderService.class.getPackage())
                .addClasses(
                        ReceivedRow.class,
                        Attempts.class,
                        FailingBean.class,
                        RecordingBean.class,
                        Answerer.class,
                        TxTestResource.class)
                .addAsResource("tx/persistence.xml", "META-INF/persistence.xml")
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml")
                .as(ZipExporter.class)
                .exportTo(war.toFile(), true);
        List<String> firstBoot = new ArrayList<>(List.of(
                "--prebootcommandfile", itDir.resolve("tx-pre-boot.asadmin").toString(),
                "--postbootcommandfile", itDir.resolve("tx-post-boot.asadmin").toString(),
                "--deploy", war.toString()));
        payara = boot(firstBoot);
    }

    /** Starts Payara on the test's ports and directories; the first boot adds command files and the deployment. */
    private static PayaraMicroProcess boot(List<String> extra) throws Exception {
        List<String> jvm = List.of(
                "-Xmx768m",
                "-Dmqtt.port=" + mqttPort,
                "-Dmqttra.test.crashPoints=true",
                "-Dmqtt.data.dir=" + itDir.resolve("tx-broker"),
                "-Ddeployment.resource.validation=false");
        List<String> micro = new ArrayList<>(List.of(
                "--rootDir",
                itDir.resolve("tx-root").toString(),
                "--port",
                Integer.toString(httpPort),
                "--nocluster",
                "--disablephonehome"));
        micro.addAll(extra);
        lives++;
        return PayaraMicroProcess.start(
                itDir.resolve("payara-micro.jar"), jvm, micro, itDir.resolve("tx-payara-" + lives + ".log"));
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (payara != null) {
            payara.close();
        }
    }

    @Test
    @Order(1)
    void aCommittedTransactionStoresTheOrderAndPublishesItOnce() throws Exception {
        try (Mqtt5TestClient device = new Mqtt5TestClient(mqttPort, "it-shop-display")) {
            device.subscribe(OrderService.CREATED_TOPIC, 1);
            HttpResponse<String> created = post("/tx-it/api/orders?item=lamp&quantity=2");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String id = jsonField(created.body(), "id");

            Mqtt5TestClient.Received event = device.next(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(event).as("orders/created after commit").isNotNull();
            assertThat(event.payload()).contains(id).contains("\"item\":\"lamp\"");
            assertThat(device.next(2, TimeUnit.SECONDS))
                    .as("published exactly once")
                    .isNull();
            assertThat(get("/tx-it/api/orders/" + id).statusCode()).isEqualTo(200);
        }
        // The transacted bean bound the JSON event to a record with JSON-B and stored it in its own transaction.
        await().atMost(WAIT).untilAsserted(() -> assertThat(rows("orders")).anyMatch(r -> r.contains("|lamp|2|")));
    }

    @Test
    @Order(2)
    void aRolledBackTransactionStoresNothingAndPublishesNothing() throws Exception {
        try (Mqtt5TestClient device = new Mqtt5TestClient(mqttPort, "it-shop-display-2")) {
            device.subscribe(OrderService.CREATED_TOPIC, 1);
            HttpResponse<String> rejected = post("/tx-it/api/orders?item=rejected-chair&quantity=1&rollback=true");
            assertThat(rejected.statusCode()).as(rejected.body()).isEqualTo(409);
            assertThat(device.next(5, TimeUnit.SECONDS))
                    .as("nothing published on rollback")
                    .isNull();
        }
        assertThat(get("/tx-it/api/it/orders?item=rejected-chair").body()).isEqualTo("0");
        assertThat(rows("orders")).noneMatch(r -> r.contains("rejected-chair"));
    }

    @Test
    @Order(3)
    void aBeanThatThrowsGetsTheMessageAgainWithDupThenItIsDeadLettered() throws Exception {
        ServerMetrics metrics = new ServerMetrics(URI.create("http://127.0.0.1:" + httpPort + "/"));
        long deliveries = metrics.value("mqtt_mdb_deliveries");
        long redeliveries = metrics.value("mqtt_mdb_redeliveries");
        long deadLetters = metrics.value("mqtt_mdb_dead_letters");
        try (Mqtt5TestClient operator = new Mqtt5TestClient(mqttPort, "it-operator");
                Mqtt5TestClient device = new Mqtt5TestClient(mqttPort, "it-device-failing")) {
            operator.subscribe("it/dead/failing", 1);
            device.publish("it/tx/failing/1", "boom-1", 1, false);

            Mqtt5TestClient.Received dead = operator.next(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(dead).as("dead letter after the redelivery limit").isNotNull();
            assertThat(dead.payload()).isEqualTo("boom-1");
            assertThat(dead.userPropertyMap())
                    .containsEntry("mqtt-ra-original-topic", "it/tx/failing/1")
                    .containsEntry("mqtt-ra-delivery-attempts", "3");
            assertThat(dead.userPropertyMap().get("mqtt-ra-dead-letter-reason")).contains("refusing boom-1 on purpose");
        }
        assertThat(get("/tx-it/api/it/attempts").body().split("\n"))
                .containsExactly("boom-1|dup=false", "boom-1|dup=true", "boom-1|dup=true");
        assertThat(rows("failing")).as("each attempt's row was rolled back").isEmpty();
        // Three attempts, two of them redeliveries, one dead letter: as counted on /metrics.
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    assertThat(metrics.value("mqtt_mdb_redeliveries")).isEqualTo(redeliveries + 2);
                    assertThat(metrics.value("mqtt_mdb_dead_letters")).isEqualTo(deadLetters + 1);
                    assertThat(metrics.value("mqtt_mdb_deliveries")).isGreaterThanOrEqualTo(deliveries + 3);
                });
    }

    @Test
    @Order(4)
    void aCrashBetweenPrepareAndCommitIsResolvedByRecoveryExactlyOnce() throws Exception {
        assertThat(post("/tx-it/api/it/crash-before-commit?topic=" + OrderService.CREATED_TOPIC)
                        .body())
                .isEqualTo("armed");
        try {
            HttpResponse<String> r = post("/tx-it/api/orders?item=crash-desk&quantity=1");
            throw new AssertionError("the server answered instead of crashing: " + r.statusCode() + " " + r.body());
        } catch (IOException expected) {
            // the server halted in the middle of the request
        }
        assertThat(payara.awaitExit(WAIT)).as("halted by the crash point").isEqualTo(99);
        String firstLife = payara.logText();
        assertThat(firstLife).contains("halting the JVM before committing");

        payara = boot(List.of());

        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(rows("orders"))
                        .filteredOn(r -> r.contains("|crash-desk|"))
                        .hasSize(1));
        assertThat(get("/tx-it/api/it/orders?item=crash-desk").body())
                .as("the order row was committed too")
                .isEqualTo("1");
        assertThat(payara.logText()).contains("Recovery committed MQTT transaction");
        Thread.sleep(3000);
        assertThat(rows("orders"))
                .as("published exactly once")
                .filteredOn(r -> r.contains("|crash-desk|"))
                .hasSize(1);
    }

    @Test
    @Order(5)
    void everyOneOfAThousandQos2MessagesIsStoredExactlyOnceAcrossAKillDashNine() throws Exception {
        int n = 1000;
        try (Mqtt5TestClient device = new Mqtt5TestClient(mqttPort, "it-counter")) {
            for (int i = 0; i < n; i++) {
                device.publish("it/tx/record/k", "k-" + i, 2, false);
            }
        }
        // Every message is durable in the bean's session now (PUBCOMP); kill the server while the bean works.
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> rows("record").size() >= n / 5);
        payara.kill();

        payara = boot(List.of());

        await().atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> distinctPayloads(rows("record")) == n);
        Thread.sleep(3000);
        List<String> rows = rows("record");
        assertThat(distinctPayloads(rows)).isEqualTo(n);
        assertThat(rows).as("exactly one row per message").hasSize(n);
    }

    /**
     * A bean that takes a question and publishes its answer in one transaction (one-phase commit, the broker its
     * only resource), with the server halted once the answer is routed and before the question is acknowledged:
     * after the restart the bean does not get the question again, so the answer exists once.
     */
    @Test
    @Order(6)
    void aBeanThatAnswersInItsTransactionAnswersOnceAcrossACrashAfterTheCommit() throws Exception {
        String reader = "it-answer-reader";
        try (Mqtt5TestClient answers = new Mqtt5TestClient(mqttPort, reader, 3600)) {
            answers.subscribe(Answerer.ANSWER_TOPIC, 2);
        } // offline from here on: the answer waits in its session
        assertThat(post("/tx-it/api/it/crash-after-routing?topic=" + Answerer.ANSWER_TOPIC)
                        .body())
                .isEqualTo("armed");
        try (Mqtt5TestClient device = new Mqtt5TestClient(mqttPort, "it-asker")) {
            device.publish("it/tx/ask/1", "q-1", 2, false);
        } catch (MqttException e) {
            // the server may halt before the PUBCOMP: the question was stored before the bean could take it
        }
        assertThat(payara.awaitExit(WAIT)).as("halted by the crash point").isEqualTo(99);
        assertThat(payara.logText()).contains("halting the JVM after routing");

        payara = boot(List.of());

        try (Mqtt5TestClient answers = new Mqtt5TestClient(mqttPort, reader, 3600)) {
            Mqtt5TestClient.Received answer = answers.next(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(answer).as("the committed answer").isNotNull();
            assertThat(answer.payload()).isEqualTo("answer:q-1");
            assertThat(answers.next(10, TimeUnit.SECONDS))
                    .as("answered once: the bean did not get the question again")
                    .isNull();
        }
    }

    // ---- helpers ----

    private static long distinctPayloads(List<String> rows) {
        return rows.stream().map(r -> r.split("\\|")[2]).distinct().count();
    }

    private static List<String> rows(String bean) throws Exception {
        String body = get("/tx-it/api/it/rows?bean=" + bean).body();
        return body.isEmpty() ? List.of() : Arrays.asList(body.split("\n"));
    }

    private static HttpResponse<String> post(String path) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                        .timeout(Duration.ofSeconds(120))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                        .timeout(Duration.ofSeconds(60))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** A string field of a flat JSON object (enough for the sample's answers). */
    private static String jsonField(String json, String name) {
        String key = "\"" + name + "\":\"";
        int start = json.indexOf(key);
        assertThat(start).as("field " + name + " in " + json).isNotNegative();
        int from = start + key.length();
        return json.substring(from, json.indexOf('"', from));
    }
}
