package io.mqttra.broker.transport;

import io.mqttra.broker.protocol.ConnectTimeoutHandler;
import io.mqttra.broker.protocol.MqttChannelHandler;
import io.mqttra.broker.session.BrokerContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Builds the MQTT pipeline of a connection, in one place. A transport that needs handlers in front of MQTT
 * (TLS, WebSocket framing) gives them as a {@link TransportFront}; they go first, the MQTT handlers after.
 *
 * <pre>
 * [front: tls | httpCodec, webSocket, webSocketMqtt | both] -> flushConsolidation -> connectTimeout
 *     -> decoder / encoder -> [keepAlive, after CONNECT] -> mqtt
 * </pre>
 */
public class MqttChannelInitializer extends ChannelInitializer<Channel> {

    public static final String FLUSH = "flushConsolidation";
    public static final String DECODER = "decoder";
    public static final String ENCODER = "encoder";
    public static final String PROTOCOL = "mqtt";

    /** Longest client identifier accepted (the decoder applies it to MQTT 3.1 only; 3.1.1 and 5 allow 65535 bytes). */
    private static final int MAX_CLIENT_ID_LENGTH = 65535;

    private final BrokerContext broker;
    private final TransportFront front;

    public MqttChannelInitializer(BrokerContext broker) {
        this(broker, TransportFront.NONE);
    }

    /** For a transport (TLS, WebSocket) whose handlers go in front of the MQTT ones. */
    public MqttChannelInitializer(BrokerContext broker, TransportFront front) {
        this.broker = broker;
        this.front = front;
    }

    @Override
    protected void initChannel(Channel ch) {
        // Netty's default (64 KiB) holds only 64 messages of 1 KiB: a subscriber that keeps up on average would
        // lose QoS 0 messages in every burst. Low mark at half, so writes resume only with real room.
        int high = broker.config().outboundBufferBytes();
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(high / 2, high));
        front.addTo(ch);
        addMqttHandlers(ch.pipeline(), broker);
    }

    /** Appends the MQTT handlers to a pipeline whose inbound side delivers raw MQTT bytes. */
    public static void addMqttHandlers(ChannelPipeline p, BrokerContext broker) {
        // Writes from one read batch or one session batch reach the socket in one flush.
        p.addLast(FLUSH, new FlushConsolidationHandler(256, true));
        p.addLast(
                MqttChannelHandler.CONNECT_TIMEOUT,
                new ConnectTimeoutHandler(broker.config().connectTimeoutSeconds()));
        // An explicit limit: Netty's default (8092 bytes) is far below what clients send. The decoder counts the
        // remaining length; the fixed header adds at most 5 bytes.
        p.addLast(DECODER, new MqttDecoder(Math.max(1, broker.config().maxPacketSize() - 5), MAX_CLIENT_ID_LENGTH));
        p.addLast(ENCODER, MqttEncoder.INSTANCE);
        p.addLast(PROTOCOL, new MqttChannelHandler(broker));
    }
}
