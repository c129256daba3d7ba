package io.mqttra.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A plain socket that writes hand-made MQTT packets and reads raw packets back, for protocol-violation tests. */
public final class RawClient implements AutoCloseable {

    private final Socket socket;
    private final java.io.PushbackInputStream in;

    public RawClient(String host, int port) throws IOException {
        this(host, port, 0);
    }

    /** With a fixed receive buffer (bytes; 0 for the system's autotuned one), to hold little while not reading. */
    public RawClient(String host, int port, int receiveBufferBytes) throws IOException {
        socket = new Socket();
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes); // before connecting, so the window is small from the start
        }
        socket.connect(new java.net.InetSocketAddress(host, port));
        socket.setSoTimeout(5000);
        in = new java.io.PushbackInputStream(socket.getInputStream());
    }

    public void send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    void send(int... bytes) throws IOException {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        send(b);
    }

    /** One whole packet as sent (fixed header with remaining length, then the rest); null when the broker closed. */
    public byte[] readPacket() throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(first);
        int len = 0;
        int mul = 1;
        int b;
        do {
            b = in.read();
            if (b < 0) {
                return null;
            }
            packet.write(b);
            len += (b & 0x7F) * mul;
            mul *= 128;
        } while ((b & 0x80) != 0);
        byte[] body = in.readNBytes(len);
        if (body.length < len) {
            return null;
        }
        packet.writeBytes(body);
        return packet.toByteArray();
    }

    /** True if the broker closes the connection within the socket timeout (after any packets it sends). */
    public boolean closedByBroker() throws IOException {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // connection reset
        }
    }

    /** True if nothing arrives (and the connection stays open) for the given time; consumes nothing. */
    boolean silentFor(int millis) throws IOException {
        int previous = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            int b = in.read();
            if (b >= 0) {
                in.unread(b);
            }
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(previous);
        }
    }

    void timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    // ---------------------------------------------------------------- packet builders

    static byte[] connect(String protocolName, int level, int flags, int keepAlive, String clientId) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, protocolName);
        body.write(level);
        body.write(flags);
        body.write(keepAlive >> 8);
        body.write(keepAlive & 0xFF);
        if (level == 5) {
            body.write(0); // no properties
        }
        writeString(body, clientId);
        return packet(0x10, body.toByteArray());
    }

    static byte[] connect311(String clientId, boolean cleanSession, int keepAlive) {
        return connect("MQTT", 4, cleanSession ? 0x02 : 0x00, keepAlive, clientId);
    }

    static byte[] publish(int qos, boolean dup, String topic, int packetId, byte[] payload) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, topic);
        if (qos > 0) {
            body.write(packetId >> 8);
            body.write(packetId & 0xFF);
        }
        body.writeBytes(payload);
        return packet(0x30 | (dup ? 0x08 : 0) | (qos << 1), body.toByteArray());
    }

    /** MQTT 5 CONNECT with the given properties (already encoded, without their length). */
    static byte[] connect5(String clientId, boolean cleanStart, int keepAlive, byte[] properties) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, "MQTT");
        body.write(5);
        body.write(cleanStart ? 0x02 : 0x00);
        body.write(keepAlive >> 8);
        body.write(keepAlive & 0xFF);
        writeVarInt(body, properties.length);
        body.writeBytes(properties);
        writeString(body, clientId);
        return packet(0x10, body.toByteArray());
    }

    /** MQTT 5 PUBLISH with the given properties (already encoded, without their length). */
    static byte[] publish5(int qos, String topic, int packetId, byte[] properties, byte[] payload) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, topic);
        if (qos > 0) {
            body.write(packetId >> 8);
            body.write(packetId & 0xFF);
        }
        writeVarInt(body, properties.length);
        body.writeBytes(properties);
        body.writeBytes(payload);
        return packet(0x30 | (qos << 1), body.toByteArray());
    }

    /** A two-byte integer property (e.g. 0x23 Topic Alias, 0x21 Receive Maximum). */
    static byte[] twoByteProperty(int id, int value) {
        return new byte[] {(byte) id, (byte) (value >> 8), (byte) value};
    }

    /** A four-byte integer property (e.g. 0x11 Session Expiry Interval, 0x27 Maximum Packet Size). */
    static byte[] fourByteProperty(int id, long value) {
        return new byte[] {(byte) id, (byte) (value >> 24), (byte) (value >> 16), (byte) (value >> 8), (byte) value};
    }

    static void writeVarInt(ByteArrayOutputStream out, int value) {
        do {
            int digit = value % 128;
            value /= 128;
            out.write(value > 0 ? digit | 0x80 : digit);
        } while (value > 0);
    }

    static byte[] pubrel(int packetId) {
        return new byte[] {0x62, 2, (byte) (packetId >> 8), (byte) packetId};
    }

    static byte[] subscribe(int packetId, String filter, int qos) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(packetId >> 8);
        body.write(packetId & 0xFF);
        writeString(body, filter);
        body.write(qos);
        return packet(0x82, body.toByteArray());
    }

    /** MQTT 5 SUBSCRIBE of one filter, without properties. */
    static byte[] subscribe5(int packetId, String filter, int qos) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(packetId >> 8);
        body.write(packetId & 0xFF);
        body.write(0); // no properties
        writeString(body, filter);
        body.write(qos);
        return packet(0x82, body.toByteArray());
    }

    /** MQTT 5 SUBSCRIBE of one filter with a Subscription Identifier (1 to 268,435,455). */
    static byte[] subscribe5(int packetId, String filter, int qos, int subscriptionId) {
        ByteArrayOutputStream properties = new ByteArrayOutputStream();
        properties.write(0x0B);
        writeVarInt(properties, subscriptionId);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(packetId >> 8);
        body.write(packetId & 0xFF);
        writeVarInt(body, properties.size());
        body.writeBytes(properties.toByteArray());
        writeString(body, filter);
        body.write(qos);
        return packet(0x82, body.toByteArray());
    }

    /** MQTT 5 DISCONNECT with a reason code and properties (already encoded, without their length). */
    static byte[] disconnect5(int reasonCode, byte[] properties) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(reasonCode);
        writeVarInt(body, properties.length);
        body.writeBytes(properties);
        return packet(0xE0, body.toByteArray());
    }

    public static byte[] packet(int firstByte, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        int len = body.length;
        do {
            int digit = len % 128;
            len /= 128;
            out.write(len > 0 ? digit | 0x80 : digit);
        } while (len > 0);
        out.writeBytes(body);
        return out.toByteArray();
    }

    public static void writeString(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >> 8);
        out.write(b.length & 0xFF);
        out.writeBytes(b);
    }
}
