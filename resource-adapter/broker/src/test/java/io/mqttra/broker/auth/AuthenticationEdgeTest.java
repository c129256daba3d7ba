package io.mqttra.broker.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import io.mqttra.broker.MqttBroker;
import io.mqttra.broker.RawClient;
import io.mqttra.broker.config.BrokerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * CONNECT handling around a slow or failing identity store, and packets a client sends before its CONNACK.
 * Uses raw sockets where a real client library would wait for CONNACK.
 */
class AuthenticationEdgeTest extends SecureBrokerSupport {

    /** The start-up log line names the identity store and the rules, not lambda classes. */
    @Test
    void securityDescribesAnonymousAccessAndTheMissingAcl() {
        Authenticator realm = new Authenticator() {
            @Override
            public java.util.concurrent.CompletionStage<AuthResult> authenticate(Credentials c) {
                throw new UnsupportedOperationException("not called");
            }

            @Override
            public String toString() {
                return "security realm 'file'";
            }
        };
        BrokerSecurity security = new BrokerSecurity(
                realm.allowingAnonymous(), null, false, "admins", new LoginThrottle(0, 0), 1000, null);
        assertThat(security)
                .hasToString("authentication by security realm 'file', anonymous clients allowed, "
                        + "authorization by no ACL (every topic)");
    }

    @Test
    void packetsSentRightAfterConnectWaitForTheLogin() throws Exception {
        start(b -> b, false);
        var watcher = v5Connected("watch", "root", "toor");
        var in = watcher.publishes(MqttGlobalPublishFilter.ALL);
        watcher.subscribeWith().topicFilter("home/#").qos(MqttQos.AT_LEAST_ONCE).send();
        try (RawClient s = raw()) {
            // CONNECT and PUBLISH in one write: the PUBLISH is processed only after the CONNECT is accepted.
            s.send(concat(connect311("raw-ok", "alice", "wonderland"), publishQos1("home/alice/door", 7, "open")));
            assertThat(s.readPacket()).containsExactly(0x20, 0x02, 0x00, 0x00); // CONNACK accepted
            assertThat(s.readPacket()).containsExactly(0x40, 0x02, 0x00, 0x07); // PUBACK of packet 7
        }
        assertThat(in.receive(5, TimeUnit.SECONDS))
                .isPresent()
                .get()
                .extracting(p -> p.getTopic().toString())
                .isEqualTo("home/alice/door");
    }

    @Test
    void packetsAfterARefusedConnectAreNeverProcessed() throws Exception {
        start(b -> b, false);
        var watcher = v5Connected("watch", "root", "toor");
        var in = watcher.publishes(MqttGlobalPublishFilter.ALL);
        watcher.subscribeWith().topicFilter("home/#").qos(MqttQos.AT_LEAST_ONCE).send();
        try (RawClient s = raw()) {
            s.send(concat(connect311("raw-bad", "alice", "guess"), publishQos1("home/alice/door", 7, "open")));
            // [MQTT-3.1.4-5] a refused CONNECT: CONNACK 0x04, close, and nothing sent after CONNECT is processed
            assertThat(s.readPacket()).containsExactly(0x20, 0x02, 0x00, 0x04);
            assertThat(s.closedByBroker()).isTrue();
        }
        assertThat(in.receive(700, TimeUnit.MILLISECONDS)).isEmpty();
    }

    @Test
    void anIdentityStoreThatDoesNotAnswerGives0x88AndOtherClientsCarryOn() throws Exception {
        // The hashing executor never runs anything: like a WorkManager whose pool is exhausted.
        Executor starved = task -> {};
        passwordFile = dir.resolve("u.passwd");
        PasswordFile users = PasswordFile.empty();
        users.put("alice", bytes("wonderland"), Set.of(), 10);
        users.save(passwordFile);
        PasswordFileAuthenticator stuck = new PasswordFileAuthenticator(passwordFile, starved);
        // Anonymous clients do not need the store; only the named one waits for it.
        broker = new MqttBroker(BrokerConfig.builder()
                .port(0)
                .ioThreads(1)
                .connectTimeoutSeconds(2)
                .authenticator(stuck.allowingAnonymous())
                .build());
        broker.start();
        port = broker.port();
        long t0 = System.nanoTime();
        try (RawClient s = raw()) {
            s.send(connect5("waits", "alice", "wonderland"));
            // Meanwhile, on the same single event loop, an anonymous client connects and publishes.
            var other = v5("anon");
            other.connect();
            other.publishWith().topic("x").qos(MqttQos.AT_LEAST_ONCE).send();
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1200);
            byte[] ack = s.readPacket();
            assertThat(ack[0] & 0xFF).isEqualTo(0x20);
            assertThat(ack[3] & 0xFF).as("CONNACK 0x88 Server unavailable").isEqualTo(0x88);
        }
        assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(1200L, 3000L);
        assertThat(broker.metrics().loginFailures()).as("not a wrong password").isZero();
    }

    // ---------------------------------------------------------------- raw packets

    private RawClient raw() throws IOException {
        return new RawClient("127.0.0.1", port);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static byte[] connect311(String clientId, String user, String password) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        RawClient.writeString(b, "MQTT");
        b.write(4);
        b.write(0xC2); // user name, password, clean session
        b.write(0);
        b.write(60);
        RawClient.writeString(b, clientId);
        RawClient.writeString(b, user);
        RawClient.writeString(b, password);
        return RawClient.packet(0x10, b.toByteArray());
    }

    static byte[] connect5(String clientId, String user, String password) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        RawClient.writeString(b, "MQTT");
        b.write(5);
        b.write(0xC2);
        b.write(0);
        b.write(60);
        b.write(0); // no properties
        RawClient.writeString(b, clientId);
        RawClient.writeString(b, user);
        RawClient.writeString(b, password);
        return RawClient.packet(0x10, b.toByteArray());
    }

    static byte[] publishQos1(String topic, int packetId, String payload) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        RawClient.writeString(b, topic);
        b.write(packetId >> 8);
        b.write(packetId & 0xFF);
        b.writeBytes(payload.getBytes(StandardCharsets.UTF_8));
        return RawClient.packet(0x32, b.toByteArray());
    }
}
