package io.mqttra.broker.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import io.mqttra.broker.BrokerConfig;
import io.mqttra.broker.MqttBroker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
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

    @Test
    void packetsSentRightAfterConnectWaitForTheLogin() throws Exception {
        start(b -> b, false);
        var watcher = v5Connected("watch", "root", "toor");
        var in = watcher.publishes(MqttGlobalPublishFilter.ALL);
        watcher.subscribeWith().topicFilter("home/#").qos(MqttQos.AT_LEAST_ONCE).send();
        try (Socket s = socket()) {
            // CONNECT and PUBLISH in one write: the PUBLISH is processed only after the CONNECT is accepted.
            write(s, concat(connect311("raw-ok", "alice", "wonderland"), publishQos1("home/alice/door", 7, "open")));
            InputStream i = s.getInputStream();
            assertThat(readPacket(i)).containsExactly(0x20, 0x02, 0x00, 0x00); // CONNACK accepted
            assertThat(readPacket(i)).containsExactly(0x40, 0x02, 0x00, 0x07); // PUBACK of packet 7
        }
        assertThat(in.receive(5, TimeUnit.SECONDS)).isPresent()
                .get().extracting(p -> p.getTopic().toString()).isEqualTo("home/alice/door");
    }

    @Test
    void packetsAfterARefusedConnectAreNeverProcessed() throws Exception {
        start(b -> b, false);
        var watcher = v5Connected("watch", "root", "toor");
        var in = watcher.publishes(MqttGlobalPublishFilter.ALL);
        watcher.subscribeWith().topicFilter("home/#").qos(MqttQos.AT_LEAST_ONCE).send();
        try (Socket s = socket()) {
            write(s, concat(connect311("raw-bad", "alice", "guess"), publishQos1("home/alice/door", 7, "open")));
            InputStream i = s.getInputStream();
            // [MQTT-3.1.4-5] a refused CONNECT: CONNACK 0x04, close, and nothing sent after CONNECT is processed
            assertThat(readPacket(i)).containsExactly(0x20, 0x02, 0x00, 0x04);
            assertThat(closed(i)).isTrue();
        }
        assertThat(in.receive(700, TimeUnit.MILLISECONDS)).isEmpty();
    }

    @Test
    void anIdentityStoreThatDoesNotAnswerGives0x88AndOtherClientsCarryOn() throws Exception {
        // The hashing executor never runs anything: like a WorkManager whose pool is exhausted.
        Executor starved = task -> { };
        passwordFile = dir.resolve("u.passwd");
        PasswordFile users = PasswordFile.empty();
        users.put("alice", bytes("wonderland"), Set.of(), 10);
        users.save(passwordFile);
        PasswordFileAuthenticator stuck = new PasswordFileAuthenticator(passwordFile, starved);
        // Anonymous clients do not need the store; only the named one waits for it.
        broker = new MqttBroker(BrokerConfig.builder().port(0).ioThreads(1).connectTimeoutSeconds(2)
                .authenticator(stuck.allowingAnonymous()).build());
        broker.start();
        port = broker.port();
        long t0 = System.nanoTime();
        try (Socket s = socket()) {
            write(s, connect5("waits", "alice", "wonderland"));
            // Meanwhile, on the same single event loop, an anonymous client connects and publishes.
            var other = v5("anon");
            other.connect();
            other.publishWith().topic("x").qos(MqttQos.AT_LEAST_ONCE).send();
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1200);
            byte[] ack = readPacket(s.getInputStream());
            assertThat(ack[0] & 0xFF).isEqualTo(0x20);
            assertThat(ack[3] & 0xFF).as("CONNACK 0x88 Server unavailable").isEqualTo(0x88);
        }
        assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(1200L, 3000L);
        assertThat(broker.metrics().loginFailures()).as("not a wrong password").isZero();
    }

    // ---------------------------------------------------------------- raw packets

    private Socket socket() throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(5000);
        return s;
    }

    private static void write(Socket s, byte[] bytes) throws IOException {
        s.getOutputStream().write(bytes);
        s.getOutputStream().flush();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >> 8);
        out.write(b.length & 0xFF);
        out.writeBytes(b);
    }

    private static byte[] packet(int first, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(first);
        int len = body.length;
        do {
            int digit = len % 128;
            len /= 128;
            out.write(len > 0 ? digit | 0x80 : digit);
        } while (len > 0);
        out.writeBytes(body);
        return out.toByteArray();
    }

    static byte[] connect311(String clientId, String user, String password) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        string(b, "MQTT");
        b.write(4);
        b.write(0xC2); // user name, password, clean session
        b.write(0);
        b.write(60);
        string(b, clientId);
        string(b, user);
        string(b, password);
        return packet(0x10, b.toByteArray());
    }

    static byte[] connect5(String clientId, String user, String password) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        string(b, "MQTT");
        b.write(5);
        b.write(0xC2);
        b.write(0);
        b.write(60);
        b.write(0); // no properties
        string(b, clientId);
        string(b, user);
        string(b, password);
        return packet(0x10, b.toByteArray());
    }

    static byte[] publishQos1(String topic, int packetId, String payload) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        string(b, topic);
        b.write(packetId >> 8);
        b.write(packetId & 0xFF);
        b.writeBytes(payload.getBytes(StandardCharsets.UTF_8));
        return packet(0x32, b.toByteArray());
    }

    /** One packet as unsigned bytes: first byte, remaining length (one byte here), body. */
    private static int[] readPacketUnsigned(InputStream in) throws IOException {
        int first = in.read();
        int len = in.read();
        int[] out = new int[len + 2];
        out[0] = first;
        out[1] = len;
        for (int k = 0; k < len; k++) {
            out[k + 2] = in.read();
        }
        return out;
    }

    private static byte[] readPacket(InputStream in) throws IOException {
        int[] u = readPacketUnsigned(in);
        byte[] b = new byte[u.length];
        for (int k = 0; k < u.length; k++) {
            b[k] = (byte) u[k];
        }
        return b;
    }

    private static boolean closed(InputStream in) throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
