package io.mqttra.broker.transport;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;

/** TLS in front of MQTT (port 8883) or of WebSocket (WSS). */
final class TlsFront implements TransportFront {

    static final String SSL = "tls";
    static final String SSL_ERRORS = "tlsErrors";

    private final SslContext sslContext;

    TlsFront(SslContext sslContext) {
        this.sslContext = sslContext;
    }

    @Override
    public void addTo(Channel ch) {
        ch.pipeline().addLast(SSL, sslContext.newHandler(ch.alloc()));
        ch.pipeline().addLast(SSL_ERRORS, new TlsErrorHandler());
    }
}
