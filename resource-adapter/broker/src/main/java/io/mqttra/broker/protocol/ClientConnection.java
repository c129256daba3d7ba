package io.mqttra.broker.protocol;

import io.mqttra.api.PublishProperties;
import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.auth.TopicPermissions;
import io.mqttra.broker.routing.RoutedMessage;
import io.mqttra.broker.routing.SharedFilter;
import io.mqttra.broker.routing.Subscription;
import io.mqttra.broker.routing.Topics;
import io.mqttra.broker.session.BrokerContext;
import io.mqttra.broker.session.Connection;
import io.mqttra.broker.session.OutgoingMessage;
import io.mqttra.broker.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

/**
 * The protocol state of one network connection after its CONNECT was accepted: the packets a client sends
 * (PUBLISH and its acknowledgements, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT) and the packets the
 * session sends through it. Every method runs as a task of the session, so it may touch session state.
 */
final class ClientConnection implements Connection {

    private static final Logger LOG = Logger.getLogger(ClientConnection.class.getName());

    private final Channel channel;
    private final BrokerContext ctx;
    private final int protocolLevel;
    private final int clientReceiveMaximum;
    private final long clientMaxPacketSize;
    private final String clientId;
    private TopicPermissions permissions = TopicPermissions.ALL;
    private boolean deniedLogged;
    private Session session;
    private boolean dirty;
    private volatile boolean closing;
    private volatile boolean disconnectWithoutWill;
    private final Map<Integer, String> topicAliases = new HashMap<>();
    private final OutgoingTopicAliases outgoingAliases;
    /** QoS 2 packet ids whose routing is not yet durable: a resent PUBLISH waits for the same write. */
    private final Map<Integer, CompletableFuture<Void>> incomingQos2Pending = new HashMap<>();

    private int incomingUnacknowledged;
    private final long originalExpiry;
    private volatile int keepAliveSeconds;

    ClientConnection(
            Channel channel,
            BrokerContext ctx,
            String clientId,
            int protocolLevel,
            int clientReceiveMaximum,
            long clientMaxPacketSize,
            long originalExpiry,
            int outgoingAliasMaximum) {
        this.channel = channel;
        this.outgoingAliases = new OutgoingTopicAliases(outgoingAliasMaximum);
        this.ctx = ctx;
        this.clientId = clientId;
        this.protocolLevel = protocolLevel;
        this.clientReceiveMaximum = clientReceiveMaximum;
        this.clientMaxPacketSize = clientMaxPacketSize;
        this.originalExpiry = originalExpiry;
    }

    void bind(Session session) {
        this.session = session;
    }

    /** The ACL of the connection's principal, compiled at CONNECT. */
    void authorize(TopicPermissions permissions) {
        this.permissions = permissions;
    }

    String clientId() {
        return clientId;
    }

    boolean isV5() {
        return protocolLevel == 5;
    }

    /** True once the client sent DISCONNECT without asking for its will (reason code other than 0x04). */
    boolean disconnectedWithoutWill() {
        return disconnectWithoutWill;
    }

    // ---------------------------------------------------------------- Connection (session -> client)

    @Override
    public EventExecutor eventLoop() {
        return channel.eventLoop();
    }

    @Override
    public int protocolLevel() {
        return protocolLevel;
    }

    @Override
    public int receiveMaximum() {
        return clientReceiveMaximum;
    }

    @Override
    public boolean sendPublish(OutgoingMessage om, boolean dup) {
        RoutedMessage r = om.routed();
        ApplicationMessage m = r.message();
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        if (!permissions.canReceive(m.topic())) {
            // The principal may not read this topic (a deny inside a granted filter, or $SYS): never sent.
            ctx.security().deliveryDenied();
            return false;
        }
        if (isV5()) {
            long remaining = r.remainingExpirySeconds(System.nanoTime()); // [MQTT-3.3.2-6]
            props = PublishProperties5.toMqtt(m.properties(), remaining, r.subscriptionIdentifiers());
        }
        if (r.qos() == 0 && !channel.isWritable()) {
            // Back-pressure for QoS 0: a consumer that does not keep up loses QoS 0 messages (counted as
            // dropped) instead of growing the outbound buffer without bound. QoS 1/2 wait in the session queue.
            return false;
        }
        String topic = m.topic();
        if (isV5()) {
            OutgoingTopicAliases.Choice alias = outgoingAliases.peek(topic);
            // Measured only for a client that announced a limit: without one no packet can exceed the protocol's.
            if (clientMaxPacketSize < PacketSize.PROTOCOL_MAXIMUM) {
                long propsLength = PacketSize.properties(props);
                if (alias.sendTopic()
                        && alias.alias() != 0
                        && PacketSize.publish(
                                        topic, r.qos() > 0, propsLength + PacketSize.TOPIC_ALIAS, m.payload().length)
                                > clientMaxPacketSize) {
                    alias = OutgoingTopicAliases.Choice.NONE; // a new mapping would not fit: none for this packet
                }
                long size = PacketSize.publish(
                        alias.sendTopic() ? topic : "",
                        r.qos() > 0,
                        propsLength + (alias.alias() != 0 ? PacketSize.TOPIC_ALIAS : 0),
                        m.payload().length);
                if (size > clientMaxPacketSize) {
                    // [MQTT-3.1.2-25] never send a packet larger than the client's Maximum Packet Size: discard
                    // it, and take no alias for it (the client would never learn the mapping).
                    LOG.fine(() -> "message on " + m.topic() + " exceeds the maximum packet size of " + clientId);
                    return false;
                }
            }
            String sendTopic = alias.sendTopic() ? topic : "";
            if (alias.alias() != 0) {
                outgoingAliases.use(topic, alias);
                props = withTopicAlias(props, alias.alias());
                topic = sendTopic;
            }
        }
        MqttFixedHeader fh = new MqttFixedHeader(
                MqttMessageType.PUBLISH, dup && r.qos() > 0, MqttQoS.valueOf(r.qos()), r.retain(), 0);
        MqttPublishVariableHeader vh = new MqttPublishVariableHeader(topic, r.qos() > 0 ? om.packetId() : 0, props);
        write(new MqttPublishMessage(fh, vh, Unpooled.wrappedBuffer(m.payload())));
        return true;
    }

    private static MqttProperties withTopicAlias(MqttProperties props, int alias) {
        // PublishProperties5.toMqtt builds a new set per PUBLISH, except the shared, immutable empty one
        MqttProperties p = props == MqttProperties.NO_PROPERTIES ? new MqttProperties() : props;
        p.add(new MqttProperties.IntegerProperty(MqttProperties.TOPIC_ALIAS, alias));
        return p;
    }

    @Override
    public void sendPubRel(int packetId) {
        write(pubReply(MqttMessageType.PUBREL, MqttQoS.AT_LEAST_ONCE, packetId, ReasonCodes.SUCCESS));
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public void flush() {
        if (dirty) {
            dirty = false;
            channel.flush();
        }
    }

    @Override
    public boolean isClosing() {
        return closing || !channel.isActive();
    }

    /**
     * How long a connection that was taken over still reads before it is closed: a DISCONNECT its client sent just
     * before connecting anew may not be read yet, and it decides whether the will is due [MQTT-3.1.2-10].
     */
    static final long TAKEOVER_GRACE_MILLIS = 500;

    @Override
    public void closeForTakeover() {
        if (closing) {
            return;
        }
        // [MQTT-3.1.4-3] the existing connection is closed; MQTT 5 tells the client why. The session no longer
        // listens to it, except for a DISCONNECT (see handle), until the client closes or the grace time is over.
        LOG.info(() -> "closing connection of " + clientId + " from " + channel.remoteAddress()
                + ": session taken over by a new connection");
        closing = true;
        takenOver = true;
        if (isV5()) {
            channel.writeAndFlush(disconnectPacket(ReasonCodes.SESSION_TAKEN_OVER, null));
        } else {
            channel.flush();
        }
        channel.eventLoop()
                .schedule(
                        () -> {
                            channel.close();
                        },
                        TAKEOVER_GRACE_MILLIS,
                        java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private volatile boolean takenOver;

    /** The keep alive the handler put in force (the client's, or the server's override). */
    void keepAliveSeconds(int seconds) {
        this.keepAliveSeconds = seconds;
    }

    @Override
    public int keepAliveSeconds() {
        return keepAliveSeconds;
    }

    @Override
    public String remoteAddress() {
        java.net.SocketAddress a = channel.remoteAddress();
        if (a instanceof java.net.InetSocketAddress inet) {
            return inet.getHostString() + ":" + inet.getPort();
        }
        return String.valueOf(a);
    }

    @Override
    public void closeByAdministrator() {
        LOG.info(() -> "closing connection of " + clientId + " from " + channel.remoteAddress()
                + " on an administrator's request");
        disconnect(ReasonCodes.ADMINISTRATIVE_ACTION);
    }

    @Override
    public void closeForShutdown() {
        disconnect(ReasonCodes.SERVER_SHUTTING_DOWN);
    }

    @Override
    public void close() {
        closing = true;
        channel.close();
    }

    /** Writes a packet the protocol handler built (CONNACK); flushed with the session's batch. */
    void send(MqttMessage message) {
        write(message);
    }

    private void write(MqttMessage message) {
        if (!closing) {
            channel.write(message, channel.voidPromise());
            dirty = true;
        } else if (message instanceof MqttPublishMessage p) {
            p.release();
        }
    }

    /** MQTT 5: sends DISCONNECT with a reason code, then closes; MQTT 3.1.1: closes. */
    void disconnect(byte reasonCode) {
        disconnect(reasonCode, null);
    }

    /**
     * MQTT 5: sends DISCONNECT with a reason code and, if given, a reason string for the client's logs
     * (a DISCONNECT may carry one whatever Request Problem Information says [MQTT-3.1.2-29]); MQTT 3.1.1: closes.
     */
    void disconnect(byte reasonCode, String reasonString) {
        if (closing) {
            return;
        }
        closing = true;
        if (isV5()) {
            channel.writeAndFlush(disconnectPacket(reasonCode, reasonString)).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.flush();
            channel.close();
        }
    }

    private MqttMessage disconnectPacket(byte reasonCode, String reasonString) {
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        if (reasonString != null) {
            props = new MqttProperties();
            props.add(new MqttProperties.StringProperty(MqttProperties.REASON_STRING, reasonString));
            if (PacketSize.disconnect(props) > clientMaxPacketSize) {
                props = MqttProperties.NO_PROPERTIES; // not beyond the client's Maximum Packet Size [MQTT-3.14.2-3]
            }
        }
        return new MqttMessage(
                new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttReasonCodeAndPropertiesVariableHeader(reasonCode, props));
    }

    private void protocolViolation(byte reasonCode, String why) {
        ctx.metrics().protocolError();
        ProtocolErrorMark.set(channel);
        LOG.info(() -> "closing connection of " + clientId + " from " + channel.remoteAddress() + ": " + why);
        disconnect(reasonCode, why);
    }

    // ---------------------------------------------------------------- client -> broker

    void handle(MqttMessage msg) {
        if (closing || session.connection() != this) {
            // closing, or taken over: packets still in flight from the old connection must not touch the session,
            // but a DISCONNECT sent before the new connection came still cancels the will that the takeover holds
            if (takenOver && msg.fixedHeader().messageType() == MqttMessageType.DISCONNECT) {
                disconnectWithoutWill = disconnectReason(msg) != (ReasonCodes.DISCONNECT_WITH_WILL & 0xFF);
            }
            if (msg instanceof MqttPublishMessage p) {
                p.release();
            }
            return;
        }
        switch (msg.fixedHeader().messageType()) {
            case PUBLISH -> onPublish((MqttPublishMessage) msg);
            case PUBACK -> onPubAck(packetId(msg));
            case PUBREC -> onPubRec(msg);
            case PUBREL -> onPubRel(packetId(msg));
            case PUBCOMP -> onPubComp(packetId(msg));
            case SUBSCRIBE -> onSubscribe((MqttSubscribeMessage) msg);
            case UNSUBSCRIBE -> onUnsubscribe((MqttUnsubscribeMessage) msg);
            case PINGREQ -> write(MqttMessage.PINGRESP); // [MQTT-3.12.4-1]
            case DISCONNECT -> onDisconnect(msg);
            case CONNECT ->
                protocolViolation(ReasonCodes.PROTOCOL_ERROR, "second CONNECT on the same connection [MQTT-3.1.0-2]");
            case AUTH -> onAuth(msg);
            default ->
                protocolViolation(
                        ReasonCodes.PROTOCOL_ERROR,
                        "unexpected " + msg.fixedHeader().messageType() + " from a client");
        }
    }

    /** The enhanced authentication method of the CONNECT, for re-authentication; null when none. */
    void enhancedAuthenticator(io.mqttra.broker.EnhancedAuthenticator authenticator) {
        this.enhancedAuth = authenticator;
    }

    private io.mqttra.broker.EnhancedAuthenticator enhancedAuth;
    private io.mqttra.broker.EnhancedAuthenticator.Exchange reauthentication;

    /** Re-authentication (MQTT 5 section 4.12.1): AUTH 0x19 starts it, AUTH 0x18 continues it. */
    private void onAuth(MqttMessage msg) {
        MqttReasonCodeAndPropertiesVariableHeader vh = (MqttReasonCodeAndPropertiesVariableHeader) msg.variableHeader();
        String method = PublishProperties5.stringProperty(vh.properties(), MqttProperties.AUTHENTICATION_METHOD);
        int reason = vh.reasonCode() & 0xFF;
        if (enhancedAuth == null || !enhancedAuth.method().equals(method)) {
            // [MQTT-4.12.0-1] [MQTT-4.12.1-1] AUTH needs the method the CONNECT used
            protocolViolation(ReasonCodes.PROTOCOL_ERROR, "AUTH with a method other than the CONNECT's");
            return;
        }
        if (reason == 0x19) {
            reauthentication = enhancedAuth.start(clientId);
        } else if (reason != 0x18 || reauthentication == null) {
            protocolViolation(ReasonCodes.PROTOCOL_ERROR, "unexpected AUTH reason code " + reason);
            return;
        }
        var data = vh.properties().getProperty(MqttProperties.AUTHENTICATION_DATA);
        io.mqttra.broker.EnhancedAuthenticator.Step step;
        try {
            step = reauthentication.evaluate(data == null ? new byte[0] : (byte[]) data.value());
        } catch (RuntimeException e) {
            step = io.mqttra.broker.EnhancedAuthenticator.Step.failure();
        }
        switch (step.outcome()) {
            case CONTINUE -> write(MqttChannelHandler.authPacket((byte) 0x18, method, step.data()));
            case SUCCESS -> {
                reauthentication = null;
                write(MqttChannelHandler.authPacket((byte) 0x00, method, step.data()));
            }
            default -> protocolViolation(ReasonCodes.NOT_AUTHORIZED, "re-authentication failed");
        }
    }

    private static int packetId(MqttMessage msg) {
        return ((MqttMessageIdVariableHeader) msg.variableHeader()).messageId();
    }

    private void onPublish(MqttPublishMessage p) {
        ApplicationMessage message;
        int qos = p.fixedHeader().qosLevel().value();
        int packetId = p.variableHeader().packetId();
        try {
            message = toApplicationMessage(p);
        } finally {
            p.release();
        }
        if (message == null) {
            return; // connection closed with the reason already
        }
        if (qos > 0 && isV5() && incomingUnacknowledged >= ctx.config().receiveMaximum()) {
            protocolViolation(
                    ReasonCodes.RECEIVE_MAXIMUM_EXCEEDED,
                    "more than Receive Maximum " + ctx.config().receiveMaximum()
                            + " unacknowledged PUBLISHes [MQTT-3.3.4-9]");
            return;
        }
        if (!permissions.canPublish(message.topic())) {
            publishDenied(message.topic(), qos, packetId);
            return;
        }
        switch (qos) {
            case 0 -> ctx.router().route(message, clientId);
            case 1 -> {
                incomingUnacknowledged++;
                // [MQTT-4.3.2-2] PUBACK only once the message is durable for every persistent subscriber.
                inOrder(ctx.router().route(message, clientId, 0, true), e -> {
                    incomingUnacknowledged--;
                    if (e != null) {
                        storeFailed(MqttMessageType.PUBACK, packetId, e);
                    } else {
                        write(pubReply(MqttMessageType.PUBACK, MqttQoS.AT_MOST_ONCE, packetId, ReasonCodes.SUCCESS));
                    }
                });
            }
            default -> onPublishQos2(message, packetId);
        }
    }

    /**
     * A PUBLISH the ACL does not allow is not routed (nor retained). MQTT 5 answers QoS 1 and 2 with reason code
     * 0x87 Not authorized, which ends a QoS 2 flow at PUBREC. MQTT 3.1.1 has no negative acknowledgement: like
     * Mosquitto, the broker acknowledges normally and drops the message (closing the connection instead would
     * only make the client send it again). QoS 0 is dropped silently in both.
     */
    private void publishDenied(String topic, int qos, int packetId) {
        ctx.security().publishDenied();
        if (!deniedLogged) {
            deniedLogged = true; // once per connection: a misconfigured client must not flood the log
            LOG.info(() -> "client " + clientId + " may not publish to '" + topic + "': message dropped"
                    + " (further denials of this connection are logged at FINE)");
        } else {
            LOG.fine(() -> "client " + clientId + " may not publish to '" + topic + "': message dropped");
        }
        byte code = isV5() ? ReasonCodes.NOT_AUTHORIZED : ReasonCodes.SUCCESS;
        // through the ordered acknowledgements: a denial must not overtake earlier PUBLISHes' acks [MQTT-4.6.0-2]
        if (qos == 1) {
            inOrder(DONE, e -> write(pubReply(MqttMessageType.PUBACK, MqttQoS.AT_MOST_ONCE, packetId, code)));
        } else if (qos == 2) {
            inOrder(DONE, e -> write(pubReply(MqttMessageType.PUBREC, MqttQoS.AT_MOST_ONCE, packetId, code)));
        }
    }

    private void onPublishQos2(ApplicationMessage message, int packetId) {
        CompletableFuture<Void> pending = incomingQos2Pending.get(packetId);
        if (pending != null) {
            // Resent while the first copy is still being stored: answer after it, do not route twice.
            inOrder(pending, e -> {
                if (e == null) {
                    write(pubReply(MqttMessageType.PUBREC, MqttQoS.AT_MOST_ONCE, packetId, ReasonCodes.SUCCESS));
                }
            });
            return;
        }
        if (!session.beginIncomingQos2(packetId)) {
            // Resent before PUBREL: already routed; acknowledge again, do not deliver twice [MQTT-4.3.3-9].
            inOrder(
                    DONE,
                    e -> write(pubReply(MqttMessageType.PUBREC, MqttQoS.AT_MOST_ONCE, packetId, ReasonCodes.SUCCESS)));
            return;
        }
        incomingUnacknowledged++;
        CompletableFuture<Void> routed =
                ctx.router().route(message, clientId, session.isPersistent() ? packetId : 0, true);
        incomingQos2Pending.put(packetId, routed);
        // [MQTT-4.3.3-?] PUBREC only once the message and the packet id are durable
        inOrder(routed, e -> {
            incomingQos2Pending.remove(packetId);
            if (e != null) {
                session.releaseIncomingQos2(packetId);
                incomingUnacknowledged--;
                storeFailed(MqttMessageType.PUBREC, packetId, e);
            } else {
                write(pubReply(MqttMessageType.PUBREC, MqttQoS.AT_MOST_ONCE, packetId, ReasonCodes.SUCCESS));
            }
        });
    }

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    /** One acknowledgement waiting for its message to be durable (and congested subscribers to drain). */
    private record OrderedAck(CompletableFuture<Void> done, java.util.function.Consumer<Throwable> send) {}

    /**
     * Acknowledgements leave in the order the PUBLISHes arrived [MQTT-4.6.0-2] [MQTT-4.6.0-3], even when a later
     * message becomes durable first (or an earlier one waits for a congested subscriber).
     */
    private final java.util.ArrayDeque<OrderedAck> orderedAcks = new java.util.ArrayDeque<>();

    private void inOrder(CompletableFuture<Void> done, java.util.function.Consumer<Throwable> send) {
        orderedAcks.add(new OrderedAck(done, send));
        if (done.isDone()) {
            sendReadyAcks();
        } else {
            done.whenComplete((v, e) -> session.execute(this::sendReadyAcks));
        }
    }

    private void sendReadyAcks() {
        OrderedAck a;
        while ((a = orderedAcks.peek()) != null && a.done().isDone()) {
            orderedAcks.poll();
            Throwable failure = null;
            try {
                a.done().join();
            } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
                failure = e.getCause() != null ? e.getCause() : e;
            }
            a.send().accept(failure);
        }
    }

    private void storeFailed(MqttMessageType ack, int packetId, Throwable e) {
        LOG.warning(() -> "could not store message from " + clientId + ": " + e);
        if (isV5()) {
            write(pubReply(ack, MqttQoS.AT_MOST_ONCE, packetId, ReasonCodes.UNSPECIFIED_ERROR));
        } else {
            // MQTT 3.1.1 has no negative acknowledgement: close so the client resends on a new connection.
            disconnect(ReasonCodes.UNSPECIFIED_ERROR);
        }
    }

    /** Validates a PUBLISH and turns it into an application message; null when the connection was closed. */
    private ApplicationMessage toApplicationMessage(MqttPublishMessage p) {
        int qos = p.fixedHeader().qosLevel().value();
        if (qos > ctx.config().maxQos()) {
            protocolViolation(
                    ReasonCodes.QOS_NOT_SUPPORTED, "PUBLISH with QoS " + qos + " above Maximum QoS [MQTT-3.2.2-11]");
            return null;
        }
        if (p.fixedHeader().isRetain() && !ctx.config().retainAvailable()) {
            protocolViolation(
                    ReasonCodes.RETAIN_NOT_SUPPORTED, "retained PUBLISH while retain is not available [MQTT-3.2.2-14]");
            return null;
        }
        String topic = p.variableHeader().topicName();
        MqttProperties props = p.variableHeader().properties();
        if (isV5()) {
            int alias = PublishProperties5.intProperty(props, MqttProperties.TOPIC_ALIAS, 0);
            if (props.getProperty(MqttProperties.TOPIC_ALIAS) != null) {
                if (alias == 0 || alias > ctx.config().topicAliasMaximum()) {
                    protocolViolation(
                            ReasonCodes.TOPIC_ALIAS_INVALID,
                            "topic alias " + alias + " outside 1.."
                                    + ctx.config().topicAliasMaximum() + " [MQTT-3.3.2-8] [MQTT-3.3.2-9]");
                    return null;
                }
                if (topic == null || topic.isEmpty()) {
                    topic = topicAliases.get(alias);
                    if (topic == null) {
                        protocolViolation(ReasonCodes.PROTOCOL_ERROR, "unknown topic alias " + alias);
                        return null;
                    }
                } else {
                    topicAliases.put(alias, topic);
                }
            }
            if (!props.getProperties(MqttProperties.SUBSCRIPTION_IDENTIFIER).isEmpty()) {
                protocolViolation(
                        ReasonCodes.PROTOCOL_ERROR,
                        "PUBLISH from a client with a subscription identifier [MQTT-3.3.4-6]");
                return null;
            }
            String responseTopic = PublishProperties5.stringProperty(props, MqttProperties.RESPONSE_TOPIC);
            if (responseTopic != null && !Topics.isValidTopicName(responseTopic)) {
                protocolViolation(ReasonCodes.PROTOCOL_ERROR, "response topic with wildcards [MQTT-3.3.2-14]");
                return null;
            }
        }
        if (!Topics.isValidTopicName(topic)) {
            protocolViolation(ReasonCodes.TOPIC_NAME_INVALID, "invalid topic name '" + topic + "' [MQTT-3.3.2-2]");
            return null;
        }
        ByteBuf content = p.content();
        byte[] payload = ByteBufUtil.getBytes(content);
        PublishProperties pp = isV5() ? PublishProperties5.fromMqtt(props) : PublishProperties.NONE;
        if (Boolean.TRUE.equals(pp.payloadUtf8()) && !isValidUtf8(payload)) {
            protocolViolation(ReasonCodes.PAYLOAD_FORMAT_INVALID, "payload is not UTF-8 as its format indicator says");
            return null;
        }
        return new ApplicationMessage(topic, payload, qos, p.fixedHeader().isRetain(), pp);
    }

    private static boolean isValidUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    private void onPubAck(int packetId) {
        if (!session.onPubAck(packetId)) {
            LOG.fine(() -> "PUBACK for unknown packet id " + packetId + " from " + clientId);
        }
    }

    private void onPubRec(MqttMessage msg) {
        int packetId = packetId(msg);
        int reason = msg.variableHeader() instanceof MqttPubReplyMessageVariableHeader v ? v.reasonCode() & 0xFF : 0;
        if (!session.onPubRec(packetId, reason)) {
            // [MQTT-4.3.3-?] answer with PUBREL; MQTT 5 says the id is unknown
            write(pubReply(
                    MqttMessageType.PUBREL, MqttQoS.AT_LEAST_ONCE, packetId, ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND));
        }
    }

    private void onPubRel(int packetId) {
        CompletableFuture<Void> pending = incomingQos2Pending.get(packetId);
        if (pending != null) {
            // PUBREL before we sent PUBREC (the client did not wait): answer once the PUBREC has left, in order.
            inOrder(pending, e -> {
                if (!incomingQos2Pending.containsKey(packetId)) {
                    onPubRel(packetId);
                }
            });
            return;
        }
        boolean known = session.releaseIncomingQos2(packetId);
        if (known && incomingUnacknowledged > 0) { // ids restored from the store were not counted
            incomingUnacknowledged--;
        }
        // [MQTT-4.3.3-11] PUBCOMP with the same packet id, even when unknown (e.g. after a restart)
        write(pubReply(
                MqttMessageType.PUBCOMP,
                MqttQoS.AT_MOST_ONCE,
                packetId,
                known ? ReasonCodes.SUCCESS : ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND));
    }

    private void onPubComp(int packetId) {
        if (!session.onPubComp(packetId)) {
            LOG.fine(() -> "PUBCOMP for unknown packet id " + packetId + " from " + clientId);
        }
    }

    private void onSubscribe(MqttSubscribeMessage msg) {
        int packetId = msg.variableHeader().messageId();
        MqttProperties props = msg.idAndPropertiesVariableHeader().properties();
        int subscriptionId =
                isV5() ? PublishProperties5.intProperty(props, MqttProperties.SUBSCRIPTION_IDENTIFIER, 0) : 0;
        if (isV5() && props.getProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER) != null && subscriptionId == 0) {
            protocolViolation(ReasonCodes.PROTOCOL_ERROR, "subscription identifier 0 [MQTT-3.8.2-1]");
            return;
        }
        List<MqttTopicSubscription> topics = msg.payload().topicSubscriptions();
        if (topics.isEmpty()) {
            protocolViolation(ReasonCodes.PROTOCOL_ERROR, "SUBSCRIBE without topic filters [MQTT-3.8.3-3]");
            return;
        }
        List<Integer> codes = new ArrayList<>(topics.size());
        List<Subscription> added = new ArrayList<>(topics.size());
        List<Boolean> existed = new ArrayList<>(topics.size());
        for (MqttTopicSubscription t : topics) {
            String filter = t.topicFilter();
            SharedFilter shared = SharedFilter.parse(filter);
            boolean valid =
                    shared != null || (filter != null && !Topics.isShared(filter) && Topics.isValidFilter(filter));
            if (!valid) {
                LOG.fine(() -> "invalid topic filter '" + filter + "' from " + clientId);
                codes.add((int) (isV5() ? ReasonCodes.TOPIC_FILTER_INVALID : ReasonCodes.V3_SUBACK_FAILURE) & 0xFF);
                continue;
            }
            if (!permissions.canSubscribe(shared == null ? filter : shared.filter())) {
                // SUBACK failure for this filter only: 0x80 in 3.1.1 [MQTT-3.9.3-2], 0x87 Not authorized in 5.0
                ctx.security().subscriptionDenied();
                LOG.info(() -> "client " + clientId + " may not subscribe to '" + filter + "'");
                codes.add((int) (isV5() ? ReasonCodes.NOT_AUTHORIZED : ReasonCodes.V3_SUBACK_FAILURE) & 0xFF);
                continue;
            }
            var option = t.option();
            if (shared != null && option.isNoLocal()) {
                protocolViolation(ReasonCodes.PROTOCOL_ERROR, "No Local on a shared subscription [MQTT-3.8.3-4]");
                return;
            }
            int qos = Math.min(option.qos().value(), ctx.config().maxQos());
            Subscription s = new Subscription(
                    session,
                    shared == null ? filter : shared.filter(),
                    shared == null ? null : shared.group(),
                    qos,
                    isV5() && option.isNoLocal(),
                    isV5() && option.isRetainAsPublished(),
                    isV5() ? option.retainHandling().value() : 0,
                    subscriptionId);
            existed.add(session.subscribe(s));
            added.add(s);
            codes.add(qos); // granted QoS [MQTT-3.9.3-1] / [MQTT-3.8.4-6]
        }
        MqttSubAckMessage ack = new MqttSubAckMessage(
                new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                new MqttSubAckPayload(codes));
        Runnable finish = () -> {
            write(ack); // [MQTT-3.8.4-1] same packet id [MQTT-3.8.4-2]
            for (int i = 0; i < added.size(); i++) {
                Subscription s = added.get(i);
                // Retained messages on subscribe: retain handling 0 always, 1 only for a new subscription, 2 never;
                // not for shared subscriptions [MQTT-3.3.1-9] [MQTT-3.3.1-10] [MQTT-3.3.1-11] [MQTT-3.8.4-4]
                boolean send = s.shareGroup() == null
                        && (s.retainHandling() == 0 || (s.retainHandling() == 1 && !existed.get(i)));
                if (send) {
                    ctx.router().sendRetained(s);
                }
            }
        };
        // A persistent session's subscriptions are durable before SUBACK: after a crash a client that saw
        // SUBACK and "session present" must still be subscribed.
        CompletableFuture<Void> durable = session.takeStoreWrites();
        if (durable == null || durable.isDone()) {
            finish.run();
        } else {
            durable.whenComplete((v, e) -> session.execute(finish));
        }
    }

    private void onUnsubscribe(MqttUnsubscribeMessage msg) {
        int packetId = msg.variableHeader().messageId();
        List<String> filters = msg.payload().topics();
        if (filters.isEmpty()) {
            protocolViolation(ReasonCodes.PROTOCOL_ERROR, "UNSUBSCRIBE without topic filters [MQTT-3.10.3-2]");
            return;
        }
        List<Short> codes = new ArrayList<>(filters.size());
        for (String f : filters) {
            boolean removed = session.unsubscribe(f);
            codes.add((short) (removed ? ReasonCodes.SUCCESS : ReasonCodes.NO_SUBSCRIPTION_EXISTED));
        }
        MqttFixedHeader fh = new MqttFixedHeader(MqttMessageType.UNSUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0);
        // [MQTT-3.10.4-4] UNSUBACK even when nothing was removed; MQTT 5 with one reason code per filter
        write(
                isV5()
                        ? new MqttUnsubAckMessage(
                                fh,
                                new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                                new MqttUnsubAckPayload(codes))
                        : new MqttUnsubAckMessage(fh, MqttMessageIdVariableHeader.from(packetId)));
    }

    private static int disconnectReason(MqttMessage msg) {
        return msg.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader v ? v.reasonCode() & 0xFF : 0;
    }

    private void onDisconnect(MqttMessage msg) {
        int reason = disconnectReason(msg);
        if (msg.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader v) {
            MqttProperties props = v.properties();
            if (isV5() && props.getProperty(MqttProperties.SESSION_EXPIRY_INTERVAL) != null) {
                long expiry = PublishProperties5.unsignedIntProperty(props, MqttProperties.SESSION_EXPIRY_INTERVAL, 0);
                if (originalExpiry == 0 && expiry != 0) {
                    protocolViolation(
                            ReasonCodes.PROTOCOL_ERROR,
                            "DISCONNECT sets a session expiry after CONNECT set 0 [MQTT-3.14.2-2]");
                    return;
                }
                session.updateExpiry(Math.min(expiry, ctx.config().maxSessionExpirySeconds()));
            }
        }
        // [MQTT-3.14.4-3] a normal DISCONNECT deletes the will; 0x04 "disconnect with will message" keeps it.
        disconnectWithoutWill = reason != (ReasonCodes.DISCONNECT_WITH_WILL & 0xFF);
        if (disconnectWithoutWill) {
            session.discardWill();
        }
        closing = true;
        channel.flush();
        channel.close(); // [MQTT-3.14.4-1]
    }

    private static MqttMessage pubReply(MqttMessageType type, MqttQoS qos, int packetId, byte reasonCode) {
        MqttFixedHeader fh = new MqttFixedHeader(type, false, qos, false, 0);
        return new MqttMessage(
                fh, new MqttPubReplyMessageVariableHeader(packetId, reasonCode, MqttProperties.NO_PROPERTIES));
    }
}
