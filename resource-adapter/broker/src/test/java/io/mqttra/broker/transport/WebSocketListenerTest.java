package io.mqttra.broker.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.mqttra.broker.MqttBroker;
import io.mqttra.broker.config.BrokerConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MQTT over WebSocket (MQTT 5.0 chapter 6, MQTT 3.1.1 section 6) on {@code /mqtt}. */
class WebSocketListenerTest {

    private MqttBroker broker;

    @BeforeEach
    void start() {
        broker = new MqttBroker(BrokerConfig.builder()
                .port(0)
                .ioThreads(2)
                .wsPort(0)
                .maxPacketSize(64 * 1024)
                .build());
        broker.start();
    }

    @AfterEach
    void stop() {
        broker.stop();
    }

    private Mqtt5BlockingClient wsClient5(String id) {
        return MqttClient.builder()
                .useMqttVersion5()
                .identifier(id)
                .serverHost("127.0.0.1")
                .serverPort(broker.wsPort())
                .webSocketConfig()
                .serverPath("mqtt")
                .applyWebSocketConfig()
                .buildBlocking();
    }

    @Test
    void hiveMqV5OverWebSocket_publishAndSubscribe_alongsideATcpClient() throws Exception {
        assertThat(broker.wsPort()).isPositive();
        assertThat(broker.tlsPort()).isEqualTo(-1);
        Mqtt5BlockingClient ws = wsClient5("ws-5");
        Mqtt5BlockingClient tcp = MqttClient.builder()
                .useMqttVersion5()
                .identifier("tcp-5")
                .serverHost("127.0.0.1")
                .serverPort(broker.port())
                .buildBlocking();
        ws.connect();
        tcp.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = ws.publishes(MqttGlobalPublishFilter.ALL)) {
            ws.subscribeWith().topicFilter("ws/+/v5").qos(MqttQos.EXACTLY_ONCE).send();
            tcp.publishWith()
                    .topic("ws/a/v5")
                    .payload("from tcp".getBytes(UTF_8))
                    .qos(MqttQos.EXACTLY_ONCE)
                    .send();
            ws.publishWith()
                    .topic("ws/b/v5")
                    .payload("from ws".getBytes(UTF_8))
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send();
            Optional<Mqtt5Publish> first = publishes.receive(10, TimeUnit.SECONDS);
            Optional<Mqtt5Publish> second = publishes.receive(10, TimeUnit.SECONDS);
            assertThat(first).isPresent();
            assertThat(second).isPresent();
            assertThat(new String(first.get().getPayloadAsBytes(), UTF_8)).isEqualTo("from tcp");
            assertThat(new String(second.get().getPayloadAsBytes(), UTF_8)).isEqualTo("from ws");
        } finally {
            ws.disconnect();
            tcp.disconnect();
        }
    }

    @Test
    void hiveMqV3OverWebSocket_largeMessageSpanningManyTcpSegments() throws Exception {
        Mqtt3BlockingClient ws = MqttClient.builder()
                .useMqttVersion3()
                .identifier("ws-3")
                .serverHost("127.0.0.1")
                .serverPort(broker.wsPort())
                .webSocketConfig()
                .serverPath("mqtt")
                .applyWebSocketConfig()
                .buildBlocking();
        ws.connect();
        byte[] big = new byte[60 * 1024];
        Arrays.fill(big, (byte) 'x');
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes = ws.publishes(MqttGlobalPublishFilter.ALL)) {
            ws.subscribeWith().topicFilter("ws/v3").qos(MqttQos.AT_LEAST_ONCE).send();
            ws.publishWith()
                    .topic("ws/v3")
                    .payload(big)
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send();
            Optional<Mqtt3Publish> got = publishes.receive(10, TimeUnit.SECONDS);
            assertThat(got).isPresent();
            assertThat(got.get().getPayloadAsBytes()).isEqualTo(big);
        } finally {
            ws.disconnect();
        }
    }

    @Test
    void packetSplitAcrossContinuationFrames_andPacketsPackedInOneFrame_MQTT_6_0_0_2() throws Exception {
        try (RawWebSocket ws = new RawWebSocket(broker.wsPort(), "/mqtt", "mqtt")) {
            assertThat(ws.upgraded()).as(ws.handshakeResponse).isTrue();
            // [MQTT-6.0.0-4] the server selects the subprotocol "mqtt"
            assertThat(ws.handshakeResponse.toLowerCase()).contains("sec-websocket-protocol: mqtt\r\n");
            byte[] connect = MqttBytes.connect("raw-ws");
            // CONNECT in three frames: binary (not final), continuation, final continuation.
            ws.sendFrame(RawWebSocket.BINARY, false, Arrays.copyOfRange(connect, 0, 3));
            ws.sendFrame(RawWebSocket.CONTINUATION, false, Arrays.copyOfRange(connect, 3, 9));
            ws.sendFrame(RawWebSocket.CONTINUATION, true, Arrays.copyOfRange(connect, 9, connect.length));
            assertThat(ws.readBinary()).containsExactly(0x20, 0x02, 0x00, 0x00); // CONNACK accepted
            // SUBSCRIBE plus the first half of a PUBLISH in one frame, the rest of the PUBLISH in the next.
            byte[] publish = MqttBytes.publish("raw/ws", "packed");
            byte[] first = MqttBytes.concat(MqttBytes.subscribe(7, "raw/ws"), Arrays.copyOfRange(publish, 0, 5));
            ws.sendFrame(RawWebSocket.BINARY, true, first);
            ws.sendFrame(RawWebSocket.BINARY, true, Arrays.copyOfRange(publish, 5, publish.length));
            assertThat(ws.readBinary()).containsExactly(0x90, 0x03, 0x00, 0x07, 0x00); // SUBACK, QoS 0 granted
            assertThat(ws.readBinary()).isEqualTo(publish); // [MQTT-6.0.0-1] each packet back in a binary frame
        }
    }

    @Test
    void mqttv31SubprotocolIsAccepted() throws Exception {
        try (RawWebSocket ws = new RawWebSocket(broker.wsPort(), "/mqtt", "mqttv3.1")) {
            assertThat(ws.upgraded()).as(ws.handshakeResponse).isTrue();
            assertThat(ws.handshakeResponse.toLowerCase()).contains("sec-websocket-protocol: mqttv3.1\r\n");
            ws.sendFrame(RawWebSocket.BINARY, true, MqttBytes.connect("v31-ws"));
            assertThat(ws.readBinary()).containsExactly(0x20, 0x02, 0x00, 0x00);
        }
    }

    @Test
    void textFrame_closesTheConnection_MQTT_6_0_0_1_andOtherClientsKeepWorking() throws Exception {
        Mqtt5BlockingClient other = wsClient5("bystander");
        other.connect();
        try (RawWebSocket ws = new RawWebSocket(broker.wsPort(), "/mqtt", "mqtt")) {
            ws.sendFrame(RawWebSocket.BINARY, true, MqttBytes.connect("texter"));
            ws.readBinary();
            ws.sendFrame(RawWebSocket.TEXT, true, "hello".getBytes(UTF_8));
            assertThat(ws.closeStatus())
                    .as("close status 1003: unsupported data")
                    .isEqualTo(1003);
            assertThat(ws.closedByServer()).isTrue();
        }
        assertStillWorks(other, "text/after");
    }

    @Test
    void frameLargerThanMaxPacketSize_closesTheConnection_andOtherClientsKeepWorking() throws Exception {
        Mqtt5BlockingClient other = wsClient5("bystander-2");
        other.connect();
        try (RawWebSocket ws = new RawWebSocket(broker.wsPort(), "/mqtt", "mqtt")) {
            ws.sendFrame(RawWebSocket.BINARY, true, MqttBytes.connect("big-frame"));
            ws.readBinary();
            ws.sendFrame(RawWebSocket.BINARY, true, new byte[64 * 1024 + 1]);
            assertThat(ws.closeStatus())
                    .as("close status 1009: message too big")
                    .isEqualTo(1009);
            assertThat(ws.closedByServer()).isTrue();
        }
        assertStillWorks(other, "big/after");
    }

    @Test
    void pathWithQueryString_isTheMqttEndpointToo() throws Exception {
        try (RawWebSocket ws = new RawWebSocket(broker.wsPort(), "/mqtt?token=abc", "mqtt")) {
            assertThat(ws.upgraded()).as(ws.handshakeResponse).isTrue();
            ws.sendFrame(RawWebSocket.BINARY, true, MqttBytes.connect("query-ws"));
            assertThat(ws.readBinary()).containsExactly(0x20, 0x02, 0x00, 0x00);
        }
    }

    @Test
    void otherHttpPath_isAnswered404() throws Exception {
        try (Socket s = new Socket("127.0.0.1", broker.wsPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("GET /mqttx HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), UTF_8);
            assertThat(response).startsWith("HTTP/1.1 404");
        }
    }

    @Test
    void secureWebSocket_withHiveMq(@TempDir Path dir) throws Exception {
        TestKeyStores keys = TestKeyStores.create(dir);
        try (MqttBroker wss = new MqttBroker(BrokerConfig.builder()
                .port(0)
                .ioThreads(1)
                .wssPort(0)
                .keyStore(keys.serverP12.toString(), TestKeyStores.PASSWORD, "PKCS12")
                .build())) {
            wss.start();
            assertThat(wss.wsPort()).isEqualTo(-1);
            Mqtt5BlockingClient c = MqttClient.builder()
                    .useMqttVersion5()
                    .identifier("wss")
                    .serverHost("127.0.0.1")
                    .serverPort(wss.wssPort())
                    .sslConfig()
                    .trustManagerFactory(keys.clientTrustManagers())
                    .applySslConfig()
                    .webSocketConfig()
                    .serverPath("mqtt")
                    .applyWebSocketConfig()
                    .buildBlocking();
            c.connect();
            assertStillWorks(c, "wss/echo");
            c.disconnect();
        }
    }

    private static void assertStillWorks(Mqtt5BlockingClient c, String topic) throws Exception {
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = c.publishes(MqttGlobalPublishFilter.ALL)) {
            c.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
            c.publishWith()
                    .topic(topic)
                    .payload("still here".getBytes(UTF_8))
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send();
            Optional<Mqtt5Publish> got = publishes.receive(10, TimeUnit.SECONDS);
            assertThat(got).isPresent();
            assertThat(new String(got.get().getPayloadAsBytes(), UTF_8)).isEqualTo("still here");
        }
    }
}
