package io.mqttra.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Interoperability with the Debian mosquitto command-line clients (skipped where they are not installed). */
class MosquittoClientsTest extends BrokerTestSupport {

    private static final Path SUB = Path.of("/usr/bin/mosquitto_sub");
    private static final Path PUB = Path.of("/usr/bin/mosquitto_pub");

    @Test
    void mosquittoPub311_toMosquittoSub5_qos2_andRetained() throws Exception {
        assumeTrue(Files.isExecutable(SUB) && Files.isExecutable(PUB), "mosquitto clients not installed");
        String p = Integer.toString(port);
        Process retained = new ProcessBuilder(
                        PUB.toString(),
                        "-h",
                        "127.0.0.1",
                        "-p",
                        p,
                        "-V",
                        "mqttv311",
                        "-q",
                        "1",
                        "-r",
                        "-t",
                        "cli/retained",
                        "-m",
                        "kept")
                .redirectErrorStream(true)
                .start();
        assertThat(retained.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(retained.exitValue()).isZero();

        Process sub = new ProcessBuilder(
                        SUB.toString(),
                        "-h",
                        "127.0.0.1",
                        "-p",
                        p,
                        "-V",
                        "mqttv5",
                        "-q",
                        "2",
                        "-t",
                        "cli/#",
                        "-C",
                        "2",
                        "-v")
                .redirectErrorStream(true)
                .start();
        try {
            Thread.sleep(500); // let the subscription reach the broker
            Process pub = new ProcessBuilder(
                            PUB.toString(),
                            "-h",
                            "127.0.0.1",
                            "-p",
                            p,
                            "-V",
                            "mqttv311",
                            "-q",
                            "2",
                            "-t",
                            "cli/live",
                            "-m",
                            "hello")
                    .redirectErrorStream(true)
                    .start();
            assertThat(pub.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(sub.waitFor(10, TimeUnit.SECONDS)).isTrue();
            String out = new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(out).contains("cli/retained kept").contains("cli/live hello");
        } finally {
            sub.destroyForcibly();
        }
    }
}
