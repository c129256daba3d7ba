package io.mqttra.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttra.broker.config.BrokerConfig;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** MQTT 5 enhanced authentication (section 4.12) with a two-step challenge/response method, over raw bytes. */
class EnhancedAuthTest extends BrokerTestSupport {

    /** Asks for the word "open" after sending the challenge "knock"; the client's first data must be "hello". */
    static final class KnockKnock implements EnhancedAuthenticator {
        @Override
        public String method() {
            return "KNOCK";
        }

        @Override
        public Exchange start(String clientId) {
            return new Exchange() {
                int step;

                @Override
                public Step evaluate(byte[] data) {
                    String text = new String(data, StandardCharsets.UTF_8);
                    if (step++ == 0) {
                        return text.equals("hello")
                                ? Step.challenge("knock".getBytes(StandardCharsets.UTF_8))
                                : Step.failure();
                    }
                    return text.equals("open")
                            ? Step.success("welcome".getBytes(StandardCharsets.UTF_8))
                            : Step.failure();
                }
            };
        }
    }

    @Override
    protected BrokerConfig.Builder config() {
        return super.config().enhancedAuthenticator(new KnockKnock());
    }

    private static byte[] authProps(String method, String data) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x15);
        RawClient.writeString(p, method);
        p.write(0x16);
        RawClient.writeString(p, data);
        return p.toByteArray();
    }

    private static byte[] auth(int reason, String method, String data) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(reason);
        byte[] props = authProps(method, data);
        RawClient.writeVarInt(body, props.length);
        body.writeBytes(props);
        return RawClient.packet(0xF0, body.toByteArray());
    }

    @Test
    void challengeResponse_thenConnack_MQTT_4_12_0_2() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect5("knocker", true, 60, authProps("KNOCK", "hello")));
            byte[] challenge = r.readPacket();
            assertThat(challenge[0] & 0xFF).isEqualTo(0xF0); // AUTH
            assertThat(challenge[2] & 0xFF).isEqualTo(0x18); // continue authentication
            assertThat(new String(challenge, StandardCharsets.UTF_8)).contains("knock");
            r.send(auth(0x18, "KNOCK", "open"));
            byte[] connack = r.readPacket();
            assertThat(connack[0] & 0xFF).isEqualTo(0x20);
            assertThat(connack[3] & 0xFF).isEqualTo(0x00);
            assertThat(new String(connack, StandardCharsets.UTF_8))
                    .contains("KNOCK")
                    .contains("welcome");
        }
    }

    @Test
    void wrongAnswer_connack0x87() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect5("wrong", true, 60, authProps("KNOCK", "hello")));
            r.readPacket();
            r.send(auth(0x18, "KNOCK", "let me in"));
            byte[] connack = r.readPacket();
            assertThat(connack[0] & 0xFF).isEqualTo(0x20);
            assertThat(connack[3] & 0xFF).isEqualTo(0x87);
            assertThat(r.closedByBroker()).isTrue();
        }
    }

    @Test
    void unknownMethod_connack0x8C() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect5("unknown", true, 60, authProps("SCRAM-SHA-1", "x")));
            byte[] connack = r.readPacket();
            assertThat(connack[0] & 0xFF).isEqualTo(0x20);
            assertThat(connack[3] & 0xFF).isEqualTo(0x8C);
            assertThat(r.closedByBroker()).isTrue();
        }
    }

    @Test
    void reauthentication_MQTT_4_12_1() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect5("reauth", true, 60, authProps("KNOCK", "hello")));
            r.readPacket();
            r.send(auth(0x18, "KNOCK", "open"));
            assertThat(r.readPacket()[3] & 0xFF).isEqualTo(0x00);
            r.send(auth(0x19, "KNOCK", "hello"));
            assertThat(r.readPacket()[2] & 0xFF).isEqualTo(0x18);
            r.send(auth(0x18, "KNOCK", "open"));
            byte[] done = r.readPacket();
            assertThat(done[0] & 0xFF).isEqualTo(0xF0);
            assertThat(done[2] & 0xFF).isEqualTo(0x00);
        }
    }
}
