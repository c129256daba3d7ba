package io.mqttra.broker.transport;

import io.mqttra.broker.RawClient;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Hand-encoded MQTT 3.1.1 packets for tests below the client libraries. */
final class MqttBytes {

    private MqttBytes() {}

    static byte[] connect(String clientId) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, "MQTT");
        body.write(4);
        body.write(0x02); // clean session
        body.write(0);
        body.write(60);
        string(body, clientId);
        return packet(0x10, body.toByteArray());
    }

    static byte[] subscribe(int packetId, String filter) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(packetId >> 8);
        body.write(packetId);
        string(body, filter);
        body.write(0);
        return packet(0x82, body.toByteArray());
    }

    static byte[] publish(String topic, String payload) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, topic);
        body.writeBytes(payload.getBytes(StandardCharsets.UTF_8));
        return packet(0x30, body.toByteArray());
    }

    static byte[] packet(int firstByte, byte[] body) {
        return RawClient.packet(firstByte, body);
    }

    static void string(ByteArrayOutputStream out, String s) {
        RawClient.writeString(out, s);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
