package io.mqttra.server.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqttra.it.RestartSafePort;
import io.mqttra.it.TestDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MQTT.js, the browser's MQTT client, over WebSocket against the server the README's run command starts, with the
 * WebSocket listener switched on the documented way (MQTT_WS_PORT). The MQTT.js check is the broker module's
 * ({@code resource-adapter/broker/src/test/node}): connect, subscribe, publish, receive, disconnect, and no error,
 * also not while the WebSocket closes (RFC 6455 section 5.5.1).
 */
class MqttJsWebSocketIT {

    private static final Path NODE_PROJECT =
            Path.of(System.getProperty("mqttra.mqttJsCheck", "../resource-adapter/broker/src/test/node"));
    private static final Duration START_TIMEOUT = Duration.ofMinutes(6);

    private static PayaraMicroProcess server;
    private static Path work;
    private static int wsPort;

    @BeforeAll
    static void installMqttJsAndStartServer() throws Exception {
        Path itData =
                Path.of(System.getProperty("mqttra.itData", "target/it-data")).toAbsolutePath();
        work = itData.resolve("mqttjs-node");
        Files.createDirectories(work);
        for (String f : List.of("package.json", "package-lock.json", "ws-check.js")) {
            Files.copy(NODE_PROJECT.resolve(f), work.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        String npm = run(List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
        assertThat(work.resolve("node_modules").resolve("mqtt"))
                .as("npm ci output: %s", npm)
                .isDirectory();

        Path data = itData.resolve("mqttjs");
        TestDirs.deleteRecursively(data);
        wsPort = RestartSafePort.pick();
        server = new PayaraMicroProcess(
                Path.of(System.getProperty("mqttra.runMicro", "run-micro.sh")).toAbsolutePath(),
                data,
                List.of("-Xmx512m"),
                Map.of("MQTT_WS_PORT", Integer.toString(wsPort)));
        Duration took = server.start(START_TIMEOUT);
        System.out.printf(
                "MqttJsWebSocketIT: Payara Micro ready in %d s, WebSocket port %d%n", took.toSeconds(), wsPort);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest(name = "MQTT.js protocol version {0}")
    @ValueSource(ints = {4, 5})
    void mqttJsOverWebSocket_againstTheReadmeServer(int protocolVersion) throws Exception {
        assertThat(server.logSince(0)).contains("MQTT over WebSocket listening on 127.0.0.1:" + wsPort + "/mqtt");
        String out = run(
                List.of("node", "ws-check.js", Integer.toString(wsPort), Integer.toString(protocolVersion), "3"), 90);
        assertThat(out)
                .contains("SUBACK 1")
                .contains("RECEIVED mqttjs/ws/" + protocolVersion + " hello from MQTT.js v" + protocolVersion)
                .contains("DONE 3")
                .doesNotContain("ERROR");
    }

    private static String run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Path output = Files.createTempFile(work, "out", ".txt");
        Process p = new ProcessBuilder(command)
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        String out = Files.readString(output, UTF_8);
        assertThat(finished)
                .as("%s finished within %d s: %s", command, timeoutSeconds, out)
                .isTrue();
        assertThat(p.exitValue()).as("%s exited with: %s", command, out).isZero();
        return out;
    }
}
