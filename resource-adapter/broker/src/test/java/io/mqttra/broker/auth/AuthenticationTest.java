package io.mqttra.broker.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttSecurityException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/** CONNECT user name and password checks against a password file, with real 3.1.1 and 5.0 clients. */
class AuthenticationTest extends SecureBrokerSupport {

    @Test
    void wrongPasswordIsRefusedWith0x04InMqtt311() throws Exception {
        start(b -> b, false);
        // [MQTT-3.2.2-5] refused CONNECT: CONNACK with a non-zero return code, then close
        Mqtt3ConnAckException e =
                catchThrowableOfType(Mqtt3ConnAckException.class, () -> v3Connected("c-v3", "alice", "not-wonderland"));
        assertThat(e.getMqttMessage().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(broker.metrics().loginFailures()).isEqualTo(1);
    }

    @Test
    void wrongPasswordIsRefusedWith0x86InMqtt5() throws Exception {
        start(b -> b, false);
        Mqtt5ConnAckException e =
                catchThrowableOfType(Mqtt5ConnAckException.class, () -> v5Connected("c-v5", "alice", "not-wonderland"));
        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
    }

    @Test
    void unknownUserAndMissingCredentialsAreRefusedToo() throws Exception {
        start(b -> b, false);
        Mqtt5ConnAckException unknown =
                catchThrowableOfType(Mqtt5ConnAckException.class, () -> v5Connected("c1", "mallory", "x"));
        assertThat(unknown.getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
        Mqtt3ConnAckException none = catchThrowableOfType(Mqtt3ConnAckException.class, () -> v3("c2").connect());
        assertThat(none.getMqttMessage().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD);
    }

    @Test
    void rightPasswordConnectsBothVersions() throws Exception {
        start(b -> b, false);
        assertThat(v5Connected("a5", "alice", "wonderland").getState().isConnected())
                .isTrue();
        assertThat(v3Connected("b3", "bob", "builder").getState().isConnected()).isTrue();
        assertThat(broker.metrics().loginFailures()).isZero();
    }

    @Test
    void pahoV3SeesFailedAuthentication() throws Exception {
        start(b -> b, false);
        var client = new org.eclipse.paho.client.mqttv3.MqttClient(
                "tcp://127.0.0.1:" + port, "paho3", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName("bob");
        o.setPassword("wrong".toCharArray());
        MqttSecurityException e = catchThrowableOfType(MqttSecurityException.class, () -> client.connect(o));
        assertThat(e.getReasonCode()).isEqualTo(MqttSecurityException.REASON_CODE_FAILED_AUTHENTICATION);
        client.close();
    }

    @Test
    void pahoV5SeesBadUserNameOrPassword() throws Exception {
        start(b -> b, false);
        var client = new org.eclipse.paho.mqttv5.client.MqttClient(
                "tcp://127.0.0.1:" + port, "paho5", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        var o = new org.eclipse.paho.mqttv5.client.MqttConnectionOptions();
        o.setUserName("bob");
        o.setPassword("wrong".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        var e = catchThrowableOfType(org.eclipse.paho.mqttv5.common.MqttException.class, () -> client.connect(o));
        assertThat(e.getReasonCode()).isEqualTo(0x86);
        client.close();
    }

    @Test
    void anonymousClientsGetTheAnonymousAclWhenAllowed() throws Exception {
        start(b -> b, true);
        var anon = v5("anon");
        anon.connect();
        var pub = v5Connected("pub", "root", "toor");
        var sub = anon.subscribeWith().topicFilter("public/#").send();
        assertThat(sub.getReasonCodes().get(0).isError()).isFalse();
        // a user name with a wrong password is still refused
        Mqtt5ConnAckException e =
                catchThrowableOfType(Mqtt5ConnAckException.class, () -> v5Connected("c1", "alice", "nope"));
        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
        pub.disconnect();
    }

    @Test
    void repeatedFailuresFromOneAddressAreAnsweredEverMoreSlowly() throws Exception {
        start(b -> b.loginFailureDelayMillis(300, 5000), false);
        long first = timeFailedLogin("t1");
        long second = timeFailedLogin("t2");
        long third = timeFailedLogin("t3");
        // Lower bounds only: the refusal is delayed by 300, 600, 1200 ms; a loaded machine may add to any of
        // them, so comparing one elapsed time with another would measure the machine, not the throttle.
        assertThat(first).isGreaterThanOrEqualTo(290);
        assertThat(second).isGreaterThanOrEqualTo(590);
        assertThat(third).isGreaterThanOrEqualTo(1190);
        assertThat(broker.metrics().loginFailures()).isEqualTo(3);
        // a successful login from the address resets the count: the next refusal is back at the base delay
        v5Connected("ok", "alice", "wonderland").disconnect();
        assertThat(timeFailedLogin("t4")).isGreaterThanOrEqualTo(290).isLessThan(third);
    }

    private long timeFailedLogin(String clientId) {
        long t0 = System.nanoTime();
        Mqtt5ConnAckException e = catchThrowableOfType(
                Mqtt5ConnAckException.class, () -> v5Connected(clientId, "alice", "guess-" + clientId));
        assertThat(e).isNotNull();
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void noPasswordReachesTheLog() throws Exception {
        List<String> lines = new ArrayList<>();
        SimpleFormatter format = new SimpleFormatter();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                synchronized (lines) {
                    lines.add(format.format(r));
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger io = Logger.getLogger("io.mqttra");
        Level old = io.getLevel();
        io.setLevel(Level.ALL);
        io.addHandler(capture);
        capture.setLevel(Level.ALL);
        try {
            start(b -> b, false);
            catchThrowableOfType(Mqtt5ConnAckException.class, () -> v5Connected("l1", "alice", "Sup3rS3cretGuess"));
            catchThrowableOfType(Mqtt3ConnAckException.class, () -> v3Connected("l2", "nobody", "An0therS3cret"));
            v5Connected("l3", "alice", "wonderland").disconnect();
            v3Connected("l4", "bob", "builder").disconnect();
        } finally {
            io.removeHandler(capture);
            io.setLevel(old);
        }
        synchronized (lines) {
            assertThat(lines).anyMatch(l -> l.contains("failed login") && l.contains("alice"));
            assertThat(String.join("\n", lines))
                    .doesNotContain("Sup3rS3cretGuess")
                    .doesNotContain("An0therS3cret")
                    .doesNotContain("wonderland")
                    .doesNotContain("builder");
        }
    }
}
