package io.mqttra.broker.transport;

import io.mqttra.broker.BrokerException;
import io.mqttra.broker.config.BrokerConfig;
import io.mqttra.broker.session.BrokerContext;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The listeners besides plain TCP: MQTT over TLS, over WebSocket and over secure WebSocket. Each is off
 * unless its port is configured (-1 = off). They share the broker's event loops and build the same MQTT
 * pipeline through {@link MqttChannelInitializer}; only the front differs.
 */
public final class ExtraListeners implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ExtraListeners.class.getName());

    private final List<Channel> bound = new ArrayList<>(3);
    private volatile Channel tls;
    private volatile Channel ws;
    private volatile Channel wss;

    private ExtraListeners() {}

    /**
     * Binds every configured listener; every accepted connection joins {@code connections}.
     *
     * @throws BrokerException naming the address and port of a listener that cannot bind (the ones already
     *                         bound are closed again), or what is wrong with the TLS key store
     */
    public static ExtraListeners bind(BrokerContext broker, EventLoopGroup group, ChannelGroup connections) {
        BrokerConfig cfg = broker.config();
        ExtraListeners l = new ExtraListeners();
        try {
            SslContext ssl = cfg.tlsPort() >= 0 || cfg.wssPort() >= 0 ? TlsContextFactory.create(cfg) : null;
            // The WebSocket upgrade must finish within the time a client has to send CONNECT.
            long handshakeMillis = TimeUnit.SECONDS.toMillis(cfg.connectTimeoutSeconds());
            if (cfg.tlsPort() >= 0) {
                l.tls = l.bindOne("MQTT over TLS", cfg.tlsPort(), new TlsFront(ssl), broker, group, connections);
            }
            if (cfg.wsPort() >= 0) {
                l.ws = l.bindOne(
                        "MQTT over WebSocket",
                        cfg.wsPort(),
                        new WebSocketFront(cfg.wsPath(), cfg.maxPacketSize(), handshakeMillis),
                        broker,
                        group,
                        connections);
            }
            if (cfg.wssPort() >= 0) {
                l.wss = l.bindOne(
                        "MQTT over secure WebSocket",
                        cfg.wssPort(),
                        new TlsFront(ssl).then(new WebSocketFront(cfg.wsPath(), cfg.maxPacketSize(), handshakeMillis)),
                        broker,
                        group,
                        connections);
            }
            return l;
        } catch (RuntimeException e) {
            l.close();
            throw e;
        }
    }

    private Channel bindOne(
            String what,
            int port,
            TransportFront front,
            BrokerContext broker,
            EventLoopGroup group,
            ChannelGroup connections) {
        String address = broker.config().bindAddress();
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new MqttChannelInitializer(broker, front) {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        super.initChannel(ch);
                    }
                });
        try {
            Channel ch = b.bind(new InetSocketAddress(address, port)).sync().channel();
            bound.add(ch);
            LOG.info(() -> what + " listening on " + address + ":" + localPort(ch)
                    + (what.contains("WebSocket") ? broker.config().wsPath() : ""));
            return ch;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new BrokerException("cannot listen for " + what + " on " + address + ":" + port + ": " + e, e);
        }
    }

    /** Bound port of the TLS listener, -1 when off. */
    public int tlsPort() {
        return localPort(tls);
    }

    /** Bound port of the WebSocket listener, -1 when off. */
    public int wsPort() {
        return localPort(ws);
    }

    /** Bound port of the secure WebSocket listener, -1 when off. */
    public int wssPort() {
        return localPort(wss);
    }

    private static int localPort(Channel ch) {
        return ch == null ? -1 : ((InetSocketAddress) ch.localAddress()).getPort();
    }

    /** Stops accepting; open connections are closed by the broker with the others. */
    @Override
    public void close() {
        for (Channel ch : bound) {
            ch.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
        bound.clear();
    }
}
