package io.mqttra.broker.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttra.broker.MqttBroker;
import io.mqttra.broker.config.BrokerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket closing handshake (RFC 6455 sections 5.5.1 and 7.1) around an MQTT connection: whichever side
 * starts it, each sends one Close frame, and the server closes the TCP connection last.
 */
class WebSocketCloseTest {

    private static final int NORMAL_CLOSURE = 1000;
    private static final int PROTOCOL_ERROR = 1002;

    private MqttBroker broker;

    @BeforeEach
    void start() {
        broker = new MqttBroker(
                BrokerConfig.builder().port(0).ioThreads(1).wsPort(0).build());
        broker.start();
    }

    @AfterEach
    void stop() {
        broker.stop();
    }

    private RawWebSocket connected(String clientId) throws Exception {
        RawWebSocket ws = new RawWebSocket(broker.wsPort(), "/mqtt", "mqtt");
        assertThat(ws.upgraded()).as(ws.handshakeResponse).isTrue();
        ws.sendFrame(RawWebSocket.BINARY, true, MqttBytes.connect(clientId));
        assertThat(ws.readBinary()).containsExactly(0x20, 0x02, 0x00, 0x00);
        return ws;
    }

    @Test
    void clientSendsClose_serverAnswersWithClose_thenClosesTcp() throws Exception {
        try (RawWebSocket ws = connected("ws-client-close")) {
            ws.sendFrame(RawWebSocket.CLOSE, true, status(NORMAL_CLOSURE));
            byte[] answer = ws.readFrame();
            assertThat(answer).as("the server's answer").isNotNull();
            assertThat(answer[0]).as("opcode").isEqualTo((byte) RawWebSocket.CLOSE);
            assertThat(statusOf(answer)).isEqualTo(NORMAL_CLOSURE);
            assertThat(ws.readFrame())
                    .as("end of the TCP connection after the Close frame")
                    .isNull();
        }
    }

    @Test
    void mqttDisconnect_serverSendsClose_andClosesTcpOnceTheClientAnswers() throws Exception {
        try (RawWebSocket ws = connected("ws-disconnect")) {
            ws.sendFrame(RawWebSocket.BINARY, true, new byte[] {(byte) 0xE0, 0});
            assertThat(ws.closeStatus()).isEqualTo(NORMAL_CLOSURE);
            // The server waits for the client's Close before it closes TCP: the client may still answer.
            assertThat(ws.silentFor(300))
                    .as("connection still open for the client's Close")
                    .isTrue();
            ws.sendFrame(RawWebSocket.CLOSE, true, status(NORMAL_CLOSURE));
            assertThat(ws.readFrame())
                    .as("end of the TCP connection, no second Close")
                    .isNull();
        }
    }

    @Test
    void protocolViolation_serverSendsCloseWithProtocolError_MQTT_3_1_0_2() throws Exception {
        try (RawWebSocket ws = connected("ws-second-connect")) {
            ws.sendFrame(RawWebSocket.BINARY, true, MqttBytes.connect("ws-second-connect"));
            assertThat(ws.closeStatus()).isEqualTo(PROTOCOL_ERROR);
            ws.sendFrame(RawWebSocket.CLOSE, true, status(PROTOCOL_ERROR));
            assertThat(ws.readFrame()).isNull();
        }
    }

    @Test
    void clientThatNeverAnswersTheClose_isCutOffAfterATimeout() throws Exception {
        try (RawWebSocket ws = connected("ws-mute")) {
            ws.sendFrame(RawWebSocket.BINARY, true, new byte[] {(byte) 0xE0, 0});
            assertThat(ws.closeStatus()).isEqualTo(NORMAL_CLOSURE);
            long start = System.nanoTime();
            ws.timeout(10_000);
            assertThat(ws.readFrame()).isNull();
            assertThat((System.nanoTime() - start) / 1_000_000)
                    .as("milliseconds until TCP closed")
                    .isLessThan(5_000);
        }
    }

    private static byte[] status(int code) {
        return new byte[] {(byte) (code >> 8), (byte) code};
    }

    private static int statusOf(byte[] frame) {
        return ((frame[1] & 0xFF) << 8) | (frame[2] & 0xFF);
    }
}
