package io.mqttra.persistence;

import io.mqttra.api.PublishProperties;
import io.mqttra.broker.ApplicationMessage;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Converts between the engine's message types and their columns. */
final class MessageCodec {

    private MessageCodec() {}

    static MessageData toData(ApplicationMessage m) {
        MessageData d = new MessageData();
        d.topic = m.topic();
        d.payload = m.payload();
        d.qos = m.qos();
        d.retain = m.retain();
        PublishProperties p = m.properties();
        if (!p.isEmpty()) {
            d.payloadUtf8 = p.payloadUtf8();
            d.expiryInterval = p.messageExpiryInterval();
            d.contentType = p.contentType();
            d.responseTopic = p.responseTopic();
            d.correlationData = p.correlationData();
            d.userProperties = encodeUserProperties(p.userProperties());
        }
        return d;
    }

    /**
     * The message as stored, with the expiry interval lowered by the time it has waited since {@code receivedAt}
     * [MQTT-3.3.2-6]; null when it has expired meanwhile (it must not be delivered [MQTT-3.3.2-5]).
     */
    static ApplicationMessage toMessage(MessageData d, long receivedAt, long now) {
        if (d == null || d.topic == null) {
            return null;
        }
        PublishProperties properties = PublishProperties.NONE;
        boolean hasProperties = d.payloadUtf8 != null
                || d.expiryInterval != null
                || d.contentType != null
                || d.responseTopic != null
                || d.correlationData != null
                || d.userProperties != null;
        if (hasProperties) {
            PublishProperties.Builder b = PublishProperties.builder();
            if (d.payloadUtf8 != null) {
                b.payloadUtf8(d.payloadUtf8);
            }
            if (d.expiryInterval != null) {
                long remaining = d.expiryInterval - Math.max(0, now - receivedAt) / 1000;
                if (remaining <= 0 && now > receivedAt) {
                    return null;
                }
                b.messageExpiryInterval(Math.max(0, remaining));
            }
            b.contentType(d.contentType).responseTopic(d.responseTopic).correlationData(d.correlationData);
            decodeUserProperties(d.userProperties, b);
            properties = b.build();
        }
        return new ApplicationMessage(
                d.topic, d.payload, d.qos == null ? 0 : d.qos, Boolean.TRUE.equals(d.retain), properties);
    }

    /** Epoch ms after which the message must not be delivered, or null. */
    static Long expiresAt(ApplicationMessage m, long receivedAt) {
        Long interval = m.properties().messageExpiryInterval();
        return interval == null ? null : receivedAt + interval * 1000;
    }

    static String encodeIds(List<Integer> ids) {
        if (ids.isEmpty()) {
            return null;
        }
        StringBuilder s = new StringBuilder();
        for (Integer id : ids) {
            if (s.length() > 0) {
                s.append(',');
            }
            s.append(id);
        }
        return s.toString();
    }

    static List<Integer> decodeIds(String s) {
        if (s == null || s.isEmpty()) {
            return List.of();
        }
        List<Integer> ids = new ArrayList<>();
        for (String part : s.split(",")) {
            ids.add(Integer.parseInt(part));
        }
        return ids;
    }

    private static byte[] encodeUserProperties(List<PublishProperties.UserProperty> props) {
        if (props.isEmpty()) {
            return null;
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(props.size());
            for (PublishProperties.UserProperty p : props) {
                writeString(out, p.name());
                writeString(out, p.value());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void decodeUserProperties(byte[] encoded, PublishProperties.Builder b) {
        if (encoded == null) {
            return;
        }
        try {
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(encoded));
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                b.userProperty(readString(in), readString(in));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt user properties in the store", e);
        }
    }

    // Not writeUTF: its modified UTF-8 and 64 KiB limit do not fit every MQTT UTF-8 string.
    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
