package io.mqttra.broker.transport;

import io.netty.channel.Channel;

/**
 * The handlers a transport puts in front of the MQTT handlers of a new connection: nothing for plain TCP,
 * TLS, WebSocket framing, or both. Whatever it adds must deliver raw MQTT bytes inbound and accept
 * encoded MQTT bytes outbound, so that {@link MqttChannelInitializer} builds the MQTT part once for all.
 */
@FunctionalInterface
public interface TransportFront {

    /** Plain TCP: MQTT bytes straight from the socket. */
    TransportFront NONE = ch -> {};

    void addTo(Channel ch);

    /** This front closest to the socket, then {@code inner} (e.g. TLS then WebSocket). */
    default TransportFront then(TransportFront inner) {
        return ch -> {
            addTo(ch);
            inner.addTo(ch);
        };
    }
}
