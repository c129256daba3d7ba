package io.mqttra.broker.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqttra.broker.MqttBroker;
import io.mqttra.broker.config.BrokerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MQTT.js, the JavaScript client browsers use, over WebSocket: the small Node project in
 * {@code src/test/node} pins {@code mqtt} in its package-lock.json; {@code npm ci} installs it into target/.
 */
class WebSocketMqttJsTest {

    private static final Path PROJECT = Path.of("src", "test", "node");
    private static final Path WORK = Path.of("target", "mqttjs");
    private static MqttBroker broker;

    @BeforeAll
    static void installMqttJsAndStartBroker() throws Exception {
        Files.createDirectories(WORK);
        for (String f : List.of("package.json", "package-lock.json", "ws-check.js")) {
            Files.copy(PROJECT.resolve(f), WORK.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        String out = run(List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
        assertThat(WORK.resolve("node_modules").resolve("mqtt"))
                .as("npm ci output: %s", out)
                .isDirectory();
        broker = new MqttBroker(
                BrokerConfig.builder().port(0).ioThreads(1).wsPort(0).build());
        broker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.stop();
        }
    }

    @ParameterizedTest(name = "MQTT.js protocol version {0}")
    @ValueSource(ints = {4, 5})
    void mqttJsSubscribesAndPublishesOverWebSocket(int protocolVersion) throws Exception {
        // Several rounds: an error while the connection closes showed up only now and then.
        String out = run(
                List.of(
                        "node",
                        "ws-check.js",
                        Integer.toString(broker.wsPort()),
                        Integer.toString(protocolVersion),
                        "10"),
                90);
        assertThat(out)
                .contains("SUBACK 1")
                .contains("RECEIVED mqttjs/ws/" + protocolVersion + " hello from MQTT.js v" + protocolVersion)
                .contains("DONE 10")
                .doesNotContain("ERROR");
    }

    private static String run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command)
                .directory(WORK.toFile())
                .redirectErrorStream(true)
                .start();
        // Read while it runs, so a chatty process cannot block on a full pipe.
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), UTF_8));
            } catch (IOException ignored) {
                // process ended
            }
        });
        reader.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        reader.join(5000);
        assertThat(p.exitValue()).as("%s exited with: %s", command, out).isZero();
        return out.toString();
    }
}
