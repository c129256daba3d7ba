package io.mqttra.broker.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The same checks with Debian's mosquitto_pub / mosquitto_sub, whose exit status is the CONNACK code. */
class MosquittoSecurityTest extends SecureBrokerSupport {

    @BeforeEach
    void needsMosquittoClients() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/mosquitto_pub")), "mosquitto-clients not installed");
    }

    private record Run(int status, String output) {}

    private Run run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(args));
        cmd.addAll(List.of("-h", "127.0.0.1", "-p", String.valueOf(port)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void wrongPasswordExitsWithTheConnAckCode() throws Exception {
        start(b -> b, false);
        Run v311 = run("mosquitto_pub", "-V", "mqttv311", "-u", "alice", "-P", "nope", "-t", "home/alice/x", "-m", "1");
        assertThat(v311.status()).isEqualTo(0x04);
        assertThat(v311.output()).contains("bad user name or password");
        Run v5 = run("mosquitto_pub", "-V", "mqttv5", "-u", "alice", "-P", "nope", "-t", "home/alice/x", "-m", "1");
        assertThat(v5.status()).isEqualTo(0x86);
        Run ok = run(
                "mosquitto_pub",
                "-V",
                "mqttv5",
                "-u",
                "alice",
                "-P",
                "wonderland",
                "-t",
                "home/alice/x",
                "-m",
                "1",
                "-q",
                "1");
        assertThat(ok.status()).isZero();
    }

    @Test
    void deniedPublishAndSubscribeAreReportedToMqtt5Clients() throws Exception {
        start(b -> b, false);
        Run pub = run(
                "mosquitto_pub",
                "-d",
                "-V",
                "mqttv5",
                "-u",
                "bob",
                "-P",
                "builder",
                "-t",
                "home/alice/x",
                "-m",
                "1",
                "-q",
                "1");
        assertThat(pub.output()).contains("received PUBACK").contains("RC:135"); // 0x87 Not authorized
        Run sub = run("mosquitto_sub", "-V", "mqttv5", "-u", "bob", "-P", "builder", "-t", "home/bob/#", "-W", "2");
        assertThat(sub.output()).contains("All subscription requests were denied");
    }
}
