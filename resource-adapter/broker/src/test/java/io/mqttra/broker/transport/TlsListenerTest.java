package io.mqttra.broker.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.mqttra.broker.BrokerException;
import io.mqttra.broker.MqttBroker;
import io.mqttra.broker.config.BrokerConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MQTT over TLS (MQTT 5.0 section 4.13 / 3.1.1 section 5.4.9: TLS is the transport, MQTT is unchanged). */
class TlsListenerTest {

    @TempDir
    static Path dir;

    static TestKeyStores keys;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void makeKeys() throws Exception {
        keys = TestKeyStores.create(dir);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private MqttBroker start(BrokerConfig.Builder b) {
        MqttBroker broker = new MqttBroker(b.build());
        broker.start();
        toClose.add(broker);
        return broker;
    }

    private static BrokerConfig.Builder tls(Path store, String type) {
        return BrokerConfig.builder()
                .port(0)
                .ioThreads(2)
                .tlsPort(0)
                .keyStore(store.toString(), TestKeyStores.PASSWORD, type);
    }

    private Mqtt5BlockingClient tlsClient(MqttBroker broker, String id, KeyManagerFactory clientKeys) throws Exception {
        var ssl = MqttClient.builder()
                .useMqttVersion5()
                .identifier(id)
                .serverHost("127.0.0.1")
                .serverPort(broker.tlsPort())
                .sslConfig()
                .trustManagerFactory(keys.clientTrustManagers());
        if (clientKeys != null) {
            ssl = ssl.keyManagerFactory(clientKeys);
        }
        Mqtt5BlockingClient c = ssl.applySslConfig().buildBlocking();
        toClose.add(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        return c;
    }

    private static void assertRoundTrip(Mqtt5BlockingClient sub, Mqtt5BlockingClient pub, String topic)
            throws Exception {
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
            pub.publishWith()
                    .topic(topic)
                    .payload("over tls".getBytes(UTF_8))
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send();
            Optional<Mqtt5Publish> got = publishes.receive(10, TimeUnit.SECONDS);
            assertThat(got).isPresent();
            assertThat(new String(got.get().getPayloadAsBytes(), UTF_8)).isEqualTo("over tls");
        }
    }

    @Test
    void pkcs12KeyStore_hiveMqClientsPublishAndSubscribeOverTls() throws Exception {
        MqttBroker broker = start(tls(keys.serverP12, "PKCS12"));
        assertThat(broker.tlsPort()).isPositive().isNotEqualTo(broker.port());
        Mqtt5BlockingClient sub = tlsClient(broker, "tls-sub", null);
        Mqtt5BlockingClient pub = tlsClient(broker, "tls-pub", null);
        sub.connect();
        pub.connect();
        assertRoundTrip(sub, pub, "tls/p12");
    }

    @Test
    void jksKeyStore_pahoV3ClientPublishesAndReceivesOverTls() throws Exception {
        MqttBroker broker = start(tls(keys.serverJks, "JKS"));
        var paho = new org.eclipse.paho.client.mqttv3.MqttClient(
                "ssl://127.0.0.1:" + broker.tlsPort(), "paho-tls", new MemoryPersistence());
        toClose.add(() -> {
            if (paho.isConnected()) {
                paho.disconnect();
            }
            paho.close();
        });
        MqttConnectOptions options = new MqttConnectOptions();
        options.setSocketFactory(keys.clientSslContext(false).getSocketFactory());
        options.setCleanSession(true);
        List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        paho.connect(options);
        paho.subscribe("tls/jks", 1, (topic, m) -> received.add(new String(m.getPayload(), UTF_8)));
        paho.publish("tls/jks", "jks".getBytes(UTF_8), 1, false);
        org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> received.contains("jks"));
    }

    @Test
    void mosquittoClientsWithCaFile_subscribeAndPublishOverTls() throws Exception {
        MqttBroker broker = start(tls(keys.serverP12, "PKCS12"));
        Mqtt5BlockingClient hive = tlsClient(broker, "tls-hive", null);
        hive.connect();
        hive.publishWith()
                .topic("tls/mosquitto/retained")
                .payload("hello mosquitto".getBytes(UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE)
                .retain(true)
                .send();

        // mosquitto_sub verifies the certificate and the host name 127.0.0.1 against the CA file.
        Process sub = new ProcessBuilder(
                        "mosquitto_sub",
                        "-h",
                        "127.0.0.1",
                        "-p",
                        Integer.toString(broker.tlsPort()),
                        "--cafile",
                        keys.serverPem.toString(),
                        "-t",
                        "tls/mosquitto/retained",
                        "-C",
                        "1",
                        "-W",
                        "20",
                        "-V",
                        "mqttv311")
                .redirectErrorStream(true)
                .start();
        assertThat(sub.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(sub.getInputStream().readAllBytes(), UTF_8).trim();
        assertThat(sub.exitValue()).as(out).isZero();
        assertThat(out).isEqualTo("hello mosquitto");

        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = hive.publishes(MqttGlobalPublishFilter.ALL)) {
            hive.subscribeWith()
                    .topicFilter("tls/mosquitto/pub")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send();
            Process pub = new ProcessBuilder(
                            "mosquitto_pub",
                            "-h",
                            "127.0.0.1",
                            "-p",
                            Integer.toString(broker.tlsPort()),
                            "--cafile",
                            keys.serverPem.toString(),
                            "-t",
                            "tls/mosquitto/pub",
                            "-m",
                            "from mosquitto_pub",
                            "-q",
                            "1",
                            "-V",
                            "mqttv5")
                    .redirectErrorStream(true)
                    .start();
            assertThat(pub.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(pub.exitValue())
                    .as(new String(pub.getInputStream().readAllBytes(), UTF_8))
                    .isZero();
            Optional<Mqtt5Publish> got = publishes.receive(10, TimeUnit.SECONDS);
            assertThat(got).isPresent();
            assertThat(new String(got.get().getPayloadAsBytes(), UTF_8)).isEqualTo("from mosquitto_pub");
        }
    }

    @Test
    void mosquittoSubWithoutTheCa_failsVerification() throws Exception {
        MqttBroker broker = start(tls(keys.serverP12, "PKCS12"));
        // The system's CAs do not include the throwaway certificate: the client must refuse the handshake.
        Process sub = new ProcessBuilder(
                        "mosquitto_sub",
                        "-h",
                        "127.0.0.1",
                        "-p",
                        Integer.toString(broker.tlsPort()),
                        "--capath",
                        "/etc/ssl/certs",
                        "-t",
                        "x",
                        "-C",
                        "1",
                        "-W",
                        "5")
                .redirectErrorStream(true)
                .start();
        assertThat(sub.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(sub.exitValue()).isNotZero();
    }

    @Test
    void clientAuthNeed_refusesAClientWithoutCertificate_acceptsOneWithIt() throws Exception {
        MqttBroker broker = start(tls(keys.serverP12, "PKCS12")
                .clientAuth(BrokerConfig.ClientAuth.NEED)
                .trustStore(keys.brokerTrust.toString(), TestKeyStores.PASSWORD, "PKCS12"));
        Mqtt5BlockingClient anonymous = tlsClient(broker, "no-cert", null);
        assertThatThrownBy(anonymous::connect).isInstanceOf(RuntimeException.class);

        Mqtt5BlockingClient sub = tlsClient(broker, "cert-sub", keys.clientKeyManagers());
        Mqtt5BlockingClient pub = tlsClient(broker, "cert-pub", keys.clientKeyManagers());
        sub.connect();
        pub.connect();
        assertRoundTrip(sub, pub, "tls/need");
    }

    @Test
    void clientAuthWant_acceptsClientsWithAndWithoutCertificate() throws Exception {
        MqttBroker broker = start(tls(keys.serverP12, "PKCS12")
                .clientAuth(BrokerConfig.ClientAuth.WANT)
                .trustStore(keys.brokerTrust.toString(), TestKeyStores.PASSWORD, "PKCS12"));
        Mqtt5BlockingClient sub = tlsClient(broker, "want-no-cert", null);
        Mqtt5BlockingClient pub = tlsClient(broker, "want-cert", keys.clientKeyManagers());
        sub.connect();
        pub.connect();
        assertRoundTrip(sub, pub, "tls/want");
    }

    @Test
    void plainMqttOnTheTlsPort_isClosed_andTlsClientsKeepWorking() throws Exception {
        MqttBroker broker = start(tls(keys.serverP12, "PKCS12"));
        Mqtt5BlockingClient sub = tlsClient(broker, "tls-ok-sub", null);
        Mqtt5BlockingClient pub = tlsClient(broker, "tls-ok-pub", null);
        sub.connect();
        try (Socket s = new Socket("127.0.0.1", broker.tlsPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            // An MQTT 3.1.1 CONNECT in clear text: not a TLS record.
            out.write(new byte[] {0x10, 0x0D, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 1, 'x'});
            out.flush();
            assertThat(closedByPeer(s.getInputStream())).isTrue();
        }
        pub.connect();
        assertRoundTrip(sub, pub, "tls/after-garbage");
    }

    @Test
    void keyAlias_picksThatKeyFromAStoreWithSeveral() throws Exception {
        MqttBroker broker = start(tls(keys.serverAndAnotherKey(), "PKCS12").keyAlias("broker"));
        for (int i = 0; i < 3; i++) { // the trust of the clients covers only "broker": every handshake must use it
            Mqtt5BlockingClient c = tlsClient(broker, "tls-alias-" + i, null);
            c.connect();
            assertThat(c.getState().isConnected()).isTrue();
            c.disconnect();
        }
    }

    @Test
    void keyAliasMissingFromTheStore_failsStartNamingIt() throws Exception {
        MqttBroker broker = new MqttBroker(
                tls(keys.serverAndAnotherKey(), "PKCS12").keyAlias("s1as").build());
        assertThatThrownBy(broker::start).isInstanceOf(BrokerException.class).hasMessageContaining("'s1as'");
    }

    @Test
    void missingKeyStore_failsStartNamingTheFile() {
        MqttBroker broker = new MqttBroker(BrokerConfig.builder()
                .port(0)
                .tlsPort(0)
                .keyStore(dir.resolve("nope.p12").toString(), "x", "PKCS12")
                .build());
        assertThatThrownBy(broker::start).isInstanceOf(BrokerException.class).hasMessageContaining("nope.p12");
        assertThatThrownBy(broker::port).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void tlsWithoutKeyStore_failsStart() {
        MqttBroker broker =
                new MqttBroker(BrokerConfig.builder().port(0).tlsPort(0).build());
        assertThatThrownBy(broker::start).isInstanceOf(BrokerException.class).hasMessageContaining("key store");
    }

    @Test
    void busyTlsPort_failsStartNamingAddressAndPort() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = busy.getLocalPort();
            MqttBroker broker =
                    new MqttBroker(tls(keys.serverP12, "PKCS12").tlsPort(port).build());
            assertThatThrownBy(broker::start)
                    .isInstanceOf(BrokerException.class)
                    .hasMessageContaining("127.0.0.1:" + port);
            // Nothing is left half-started: the TCP listener bound before the failure is closed again.
            assertThatThrownBy(broker::port).isInstanceOf(IllegalStateException.class);
        }
    }

    static boolean closedByPeer(InputStream in) throws java.io.IOException {
        try {
            byte[] buf = new byte[512];
            while (true) {
                if (in.read(buf) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (java.io.IOException e) {
            return true;
        }
    }
}
