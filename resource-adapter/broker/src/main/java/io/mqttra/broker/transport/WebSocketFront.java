package io.mqttra.broker.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

/**
 * MQTT over WebSocket (MQTT 5.0 chapter 6, MQTT 3.1.1 section 6): the HTTP upgrade on one path, then
 * binary frames carrying the MQTT byte stream, bridged to the MQTT decoder by {@link WebSocketMqttBridge}.
 */
final class WebSocketFront implements TransportFront {

    /** [MQTT-6.0.0-4] the server selects "mqtt"; "mqttv3.1" is what MQTT 3.1 clients (and MQTT.js for 3.1) offer. */
    static final String SUBPROTOCOLS = "mqtt,mqttv3.1";
    /** The upgrade request has no body; headers are limited by the HTTP codec. */
    private static final int MAX_HTTP_CONTENT = 8192;

    private final WebSocketServerProtocolConfig config;

    WebSocketFront(String path, int maxPacketSize, long handshakeTimeoutMillis) {
        this.config = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(path)
                .subprotocols(SUBPROTOCOLS)
                // "/mqtt?token=..." is still the MQTT endpoint; "/mqttx" is not.
                .checkStartsWith(true)
                .handshakeTimeoutMillis(handshakeTimeoutMillis)
                .dropPongFrames(true)
                // The closing handshake is the bridge's: Netty's answers a Close at once and, when the server
                // closes, sends Close but then closes TCP without waiting for the client's Close.
                .handleCloseFrames(false)
                .sendCloseFrame(null)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        // A frame holds at most one maximum-size packet's worth of bytes (up to 256 MB).
                        .maxFramePayloadLength(maxPacketSize)
                        .expectMaskedFrames(true)
                        .allowExtensions(false)
                        .build())
                .build();
    }

    @Override
    public void addTo(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast("httpCodec", new HttpServerCodec());
        p.addLast("httpAggregator", new HttpObjectAggregator(MAX_HTTP_CONTENT));
        p.addLast("webSocket", new WebSocketServerProtocolHandler(config));
        p.addLast("webSocketMqtt", new WebSocketMqttBridge());
    }
}
