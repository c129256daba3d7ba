package io.mqttra.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.mqttra.it.TestDirs;
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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * XA recovery through {@code run-micro.sh}: the orders sample publishes {@code orders/created} in a two-phase
 * transaction with its JPA data source; the server halts between prepare and commit (the adapter's test crash
 * point), and {@code run-micro.sh} started again on the same data directory must let the transaction manager's
 * recovery commit the prepared MQTT branch: once, and without a redeployment of the adapter under the recovery
 * (which showed as {@code RAR7092 Incorrect transaction support level mqtt-pool} or a {@code NoClassDefFoundError}
 * from the replaced adapter's class loader, leaving the branch in doubt).
 */
class RecoveryIT {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(Long.getLong("crash.startMinutes", 6));
    private static final String DEVICE = "recovery-display";

    @Test
    void aTransactionPreparedBeforeACrashIsCommittedOnceByRecoveryWhenRunMicroStartsAgain() throws Exception {
        Path data = Path.of(System.getProperty("mqttra.itData", "target/it-data"))
                .toAbsolutePath()
                .resolve("recovery");
        TestDirs.deleteRecursively(data);
        Path runMicro =
                Path.of(System.getProperty("mqttra.runMicro", "run-micro.sh")).toAbsolutePath();

        try (PayaraMicroProcess crashing = new PayaraMicroProcess(
                runMicro,
                data,
                List.of(
                        "-Xmx768m",
                        "-Dmqttra.test.crashPoints=true",
                        "-Dmqttra.test.crashBeforeCommitTopic=orders/created"))) {
            crashing.start(START_TIMEOUT);
            // A persistent device session that waits for the order event while the server is down.
            Mqtt5BlockingClient device = device(crashing.mqttPort());
            device.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
            device.subscribeWith()
                    .topicFilter("orders/created")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send();
            device.disconnect();

            assertThatThrownBy(() -> post(crashing.httpPort(), "/mdb-samples/api/orders?item=recovery-desk&quantity=1"))
                    .as("the server halts in the middle of the request")
                    .isInstanceOf(IOException.class);
            assertThat(crashing.awaitExit(Duration.ofMinutes(1)))
                    .as("halted by the crash point")
                    .isEqualTo(99);
        }

        try (PayaraMicroProcess restarted = new PayaraMicroProcess(runMicro, data, List.of("-Xmx768m"))) {
            long offset = Files.size(restarted.log());
            restarted.start(START_TIMEOUT);
            Mqtt5BlockingClient device = device(restarted.mqttPort());
            try (Mqtt5BlockingClient.Mqtt5Publishes publishes = device.publishes(MqttGlobalPublishFilter.ALL)) {
                device.connectWith()
                        .cleanStart(false)
                        .sessionExpiryInterval(3600)
                        .send();
                Optional<Mqtt5Publish> event = publishes.receive(2, TimeUnit.MINUTES);
                assertThat(event).as("orders/created committed by recovery").isPresent();
                assertThat(new String(event.get().getPayloadAsBytes(), StandardCharsets.UTF_8))
                        .contains("recovery-desk");
                assertThat(publishes.receive(5, TimeUnit.SECONDS))
                        .as("published once")
                        .isEmpty();
            } finally {
                device.disconnect();
            }
            String secondLife = restarted.logSince(offset);
            assertThat(secondLife)
                    .contains("Recovery committed MQTT transaction")
                    .doesNotContain("RAR7092")
                    .doesNotContain("NoClassDefFoundError");
        }
    }

    private static Mqtt5BlockingClient device(int port) {
        return Mqtt5Client.builder()
                .identifier(DEVICE)
                .serverHost("127.0.0.1")
                .serverPort(port)
                .buildBlocking();
    }

    private static HttpResponse<String> post(int port, String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .timeout(Duration.ofSeconds(120))
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
