package io.mqttra.broker.transport;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A hand-made WebSocket client (RFC 6455) for tests that need control over the frames: MQTT packets split
 * across continuation frames, several packets in one frame, text frames.
 */
final class RawWebSocket implements AutoCloseable {

    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;

    private final Socket socket;
    private final DataInputStream in;
    private final java.io.PushbackInputStream pushback;
    private final OutputStream out;
    /** The status line and headers of the server's answer to the upgrade request. */
    final String handshakeResponse;

    RawWebSocket(int port, String path, String subprotocol) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(5000);
        pushback = new java.io.PushbackInputStream(socket.getInputStream(), 1);
        in = new DataInputStream(pushback);
        out = socket.getOutputStream();
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String request = "GET " + path + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + (subprotocol == null ? "" : "Sec-WebSocket-Protocol: " + subprotocol + "\r\n")
                + "\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        handshakeResponse = readHeaders();
    }

    private String readHeaders() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            b.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3))
                    ? state + 1
                    : 0;
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    boolean upgraded() {
        return handshakeResponse.startsWith("HTTP/1.1 101");
    }

    /** Sends one masked frame, as a client must (RFC 6455 section 5.3). */
    void sendFrame(int opcode, boolean fin, byte[] payload) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write((fin ? 0x80 : 0) | opcode);
        int len = payload.length;
        if (len < 126) {
            f.write(0x80 | len);
        } else if (len < 65536) {
            f.write(0x80 | 126);
            f.write(len >> 8);
            f.write(len);
        } else {
            f.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                f.write((int) ((long) len >> (8 * i)));
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        f.writeBytes(mask);
        for (int i = 0; i < len; i++) {
            f.write(payload[i] ^ mask[i & 3]);
        }
        out.write(f.toByteArray());
        out.flush();
    }

    /** A frame from the server: opcode in byte 0, payload after; null when the connection ended. */
    byte[] readFrame() throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            return null;
        }
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7F;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] frame = new byte[(int) len + 1];
        frame[0] = (byte) (b0 & 0x0F);
        in.readFully(frame, 1, (int) len);
        return frame;
    }

    /** The next binary frame's payload, skipping nothing else: fails on other frames. */
    byte[] readBinary() throws IOException {
        byte[] f = readFrame();
        if (f == null) {
            throw new IOException("connection closed");
        }
        if (f[0] != BINARY) {
            throw new IOException("expected a binary frame, got opcode " + f[0]);
        }
        return java.util.Arrays.copyOfRange(f, 1, f.length);
    }

    /** Reads until the server's close frame and returns its status code; -1 if the connection ends without one. */
    int closeStatus() throws IOException {
        byte[] f;
        while ((f = readFrame()) != null) {
            if (f[0] == CLOSE) {
                return f.length >= 3 ? ((f[1] & 0xFF) << 8) | (f[2] & 0xFF) : -1;
            }
        }
        return -1;
    }

    /** True if the server ends the connection (after any frames) within the socket timeout. */
    boolean closedByServer() {
        try {
            while (readFrame() != null) {
                // drain, e.g. the close frame
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** True if nothing arrives and the connection stays open for the given time; consumes nothing. */
    boolean silentFor(int millis) throws IOException {
        int previous = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            int b = pushback.read();
            if (b >= 0) {
                pushback.unread(b);
            }
            return false;
        } catch (java.net.SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(previous);
        }
    }

    void timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
