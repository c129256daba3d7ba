package io.mqttra.broker.protocol;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * Marks a connection that the broker closes because the client broke the protocol, for the transport to say so
 * in its own terms (WebSocket: Close status 1002 instead of 1000). The MQTT reason travels in DISCONNECT.
 */
public final class ProtocolErrorMark {

    private static final AttributeKey<Boolean> KEY = AttributeKey.valueOf(ProtocolErrorMark.class, "protocolError");

    private ProtocolErrorMark() {}

    static void set(Channel channel) {
        channel.attr(KEY).set(Boolean.TRUE);
    }

    public static boolean isSet(Channel channel) {
        return Boolean.TRUE.equals(channel.attr(KEY).get());
    }
}
