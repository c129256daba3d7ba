package io.mqttra.server.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.mqttra.it.TestDirs;
import io.mqttra.testpg.LocalPostgres;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The broker's store on PostgreSQL through a Payara JDBC resource ({@code storeDataSource}), set up as
 * docs/configuration.md#postgresql says for run-micro.sh: a post-boot file with the pool and resource, the driver
 * with --addlibs. The samples' message-driven beans receive in container transactions while the store writes on
 * the same threads: the store's connections must stay out of those transactions, or the bean's commit fails.
 */
class PostgresStoreIT {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(6);

    private static PayaraMicroProcess server;
    private static String storeUrl;

    @BeforeAll
    static void startServerOnPostgres() throws Exception {
        LocalPostgres pg = LocalPostgres.get();
        storeUrl = pg.newDatabase("mqtt_store_it");
        int pgPort = URI.create(storeUrl.substring("jdbc:".length())).getPort();
        Path itData =
                Path.of(System.getProperty("mqttra.itData", "target/it-data")).toAbsolutePath();
        Path data = itData.resolve("postgres-store");
        TestDirs.deleteRecursively(data);
        Files.createDirectories(data);
        Path postBoot = data.resolve("store.asadmin");
        Files.writeString(
                postBoot,
                String.join(
                        "\n",
                        "create-jdbc-connection-pool --datasourceclassname org.postgresql.ds.PGSimpleDataSource"
                                + " --restype javax.sql.DataSource --property serverName=127.0.0.1:portNumber=" + pgPort
                                + ":databaseName=mqtt_store_it:user=" + pg.user() + ":password=unused mqtt-store-pool",
                        "create-jdbc-resource --connectionpoolid mqtt-store-pool jdbc/mqtt-store",
                        ""),
                UTF_8);
        Path driver = Path.of(org.postgresql.Driver.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        server = new PayaraMicroProcess(
                Path.of(System.getProperty("mqttra.runMicro", "run-micro.sh")).toAbsolutePath(),
                data,
                List.of("-Xmx512m"),
                Map.of(
                        "MQTT_RA_POST_BOOT",
                        postBoot.toString(),
                        "MQTT_STORE_DATA_SOURCE",
                        "jdbc/mqtt-store",
                        "MQTT_SYS_INTERVAL_SECONDS",
                        "1"),
                List.of("--addlibs", driver.toString()));
        Duration took = server.start(START_TIMEOUT);
        System.out.printf("PostgresStoreIT: Payara Micro ready in %d s%n", took.toSeconds());
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static void drainBacklog(int round) throws InterruptedException {
        Mqtt5BlockingClient sub = persistent("pg-it-backlog");
        sub.subscribeWith()
                .topicFilter("pg-it/backlog")
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();
        sub.disconnect();
        Mqtt5BlockingClient pub = MqttClient.builder()
                .useMqttVersion5()
                .identifier("pg-it-pub")
                .serverHost("127.0.0.1")
                .serverPort(server.mqttPort())
                .buildBlocking();
        pub.connect();
        for (int i = 0; i < 500; i++) {
            pub.publishWith()
                    .topic("pg-it/backlog")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(("r" + round + " m" + i).getBytes(UTF_8))
                    .send();
        }
        pub.disconnect();
        sub = persistent("pg-it-backlog");
        int received = 0;
        try (Mqtt5BlockingClient.Mqtt5Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            while (received < 500 && in.receive(20, TimeUnit.SECONDS).isPresent()) {
                received++;
            }
        } finally {
            sub.disconnect();
        }
        assertThat(received).as("backlog of round %d", round).isEqualTo(500);
    }

    private static Mqtt5BlockingClient persistent(String id) {
        Mqtt5BlockingClient c = MqttClient.builder()
                .useMqttVersion5()
                .identifier(id)
                .serverHost("127.0.0.1")
                .serverPort(server.mqttPort())
                .buildBlocking();
        c.connectWith().cleanStart(false).sessionExpiryInterval(600).send();
        return c;
    }

    @Test
    void beanDeliveriesCommitWithTheStoreOnPostgres() throws Exception {
        assertThat(server.logSince(0)).contains("MQTT store open on DataSource");
        Mqtt5BlockingClient device = MqttClient.builder()
                .useMqttVersion5()
                .identifier("pg-it-device")
                .serverHost("127.0.0.1")
                .serverPort(server.mqttPort())
                .buildBlocking();
        device.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes in = device.publishes(MqttGlobalPublishFilter.ALL)) {
            device.subscribeWith()
                    .topicFilter("light-switch/status")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send();
            // The light switch bean publishes its status in the transaction that receives the command.
            device.publishWith()
                    .topic("light-switch/set")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload("{\"set\":\"ON\"}".getBytes(UTF_8))
                    .send();
            String status = null;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (status == null || !status.contains("ON")) {
                Optional<Mqtt5Publish> p = in.receive(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertThat(p)
                        .as("light-switch/status after the command; log tail:%n%s", server.tail())
                        .isPresent();
                status = new String(p.get().getPayloadAsBytes(), UTF_8);
            }
        } finally {
            device.disconnect();
        }
        // The store busy with a persistent session's backlog while the $SYS monitor bean takes its ticks (1 s) in
        // container transactions: store writes then also run on the beans' delivery threads.
        for (int round = 0; round < 4; round++) {
            drainBacklog(round);
        }
        assertThat(server.logSince(0))
                .doesNotContain("Cannot commit when autoCommit is enabled")
                .doesNotContain("Unable to complete container-managed transaction");
        try (Connection c = DriverManager.getConnection(storeUrl, "postgres", "");
                Statement s = c.createStatement();
                ResultSet r =
                        s.executeQuery("SELECT count(*) FROM mqtt_session WHERE client_id = 'mdb:light-switch'")) {
            r.next();
            assertThat(r.getInt(1)).as("the bean's session is in PostgreSQL").isEqualTo(1);
        }
    }
}
