package io.mqttra.broker.protocol;

import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.EnhancedAuthenticator;
import io.mqttra.broker.auth.AuthResult;
import io.mqttra.broker.auth.BrokerSecurity;
import io.mqttra.broker.auth.Credentials;
import io.mqttra.broker.auth.MqttPrincipal;
import io.mqttra.broker.auth.Refusal;
import io.mqttra.broker.auth.TopicPermissions;
import io.mqttra.broker.routing.Topics;
import io.mqttra.broker.session.BrokerContext;
import io.mqttra.broker.session.ConnectRequest;
import io.mqttra.broker.session.Session;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The per-connection protocol handler: accepts or refuses the CONNECT, then passes every packet to the
 * connection's session, and reports the end of the connection. Decoder failures, idle timeouts and I/O
 * errors end here with the reaction the standard prescribes and one log line, never a stack trace to the client.
 */
public final class MqttChannelHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = Logger.getLogger(MqttChannelHandler.class.getName());

    /** Pipeline names, so extra transports can reuse and find the MQTT handlers. */
    public static final String CONNECT_TIMEOUT = "connectTimeout";

    public static final String KEEP_ALIVE = "keepAlive";

    private final BrokerContext broker;
    private ClientConnection connection;
    private Session session;

    public MqttChannelHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        broker.metrics().connectionOpened();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (heldDuringLogin != null) {
            // [MQTT-3.1.4-5] nothing after CONNECT is processed before the CONNECT is accepted
            heldDuringLogin.add(msg);
            return;
        }
        if (!(msg instanceof MqttMessage m)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        DecoderResult result = m.decoderResult();
        if (result != null && result.isFailure()) {
            ReferenceCountUtil.release(msg);
            onDecoderFailure(ctx, m, result.cause());
            return;
        }
        if (connection == null) {
            if (pendingAuth != null && m.fixedHeader().messageType() == MqttMessageType.AUTH) {
                onAuthBeforeConnack(ctx, m);
            } else if (pendingAuth == null && m instanceof MqttConnectMessage connect) {
                onConnect(ctx, connect);
            } else {
                // [MQTT-3.1.0-1] the first packet from the client must be CONNECT
                ReferenceCountUtil.release(msg);
                refuse(ctx, "first packet is " + m.fixedHeader().messageType() + ", not CONNECT [MQTT-3.1.0-1]");
            }
            return;
        }
        ClientConnection c = connection;
        session.execute(() -> c.handle(m));
    }

    private void onDecoderFailure(ChannelHandlerContext ctx, MqttMessage m, Throwable cause) {
        broker.metrics().protocolError();
        ProtocolErrorMark.set(ctx.channel());
        MqttFixedHeader fh = m.fixedHeader();
        boolean duringConnect = connection == null;
        String why = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        if (duringConnect && cause instanceof MqttUnacceptableProtocolVersionException) {
            if (cause.getMessage() != null && cause.getMessage().contains("unknown protocol name")) {
                // Unknown protocol level: [MQTT-3.1.2-2] CONNACK 0x01 (in 3.1.1 format; the level is unknown), close.
                connAckAndClose(
                        ctx,
                        MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION,
                        "unsupported protocol level (" + cause.getMessage() + ")");
            } else {
                // Wrong protocol name: [MQTT-3.1.2-1] the server may close without CONNACK.
                refuse(ctx, "invalid protocol name (" + cause.getMessage() + ") [MQTT-3.1.2-1]");
            }
            return;
        }
        if (duringConnect && cause instanceof MqttIdentifierRejectedException) {
            connAckAndClose(
                    ctx,
                    isV5(ctx)
                            ? MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID
                            : MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED,
                    "client identifier rejected");
            return;
        }
        boolean tooLarge = cause instanceof TooLongFrameException;
        if (duringConnect) {
            if (fh != null && fh.messageType() == MqttMessageType.CONNECT && isV5(ctx)) {
                connAckAndClose(
                        ctx,
                        tooLarge
                                ? MqttConnectReturnCode.CONNECTION_REFUSED_PACKET_TOO_LARGE
                                : MqttConnectReturnCode.CONNECTION_REFUSED_MALFORMED_PACKET,
                        "malformed CONNECT: " + why);
            } else {
                refuse(ctx, "malformed packet before CONNECT completed: " + why);
            }
            return;
        }
        ClientConnection c = connection;
        String clientId = c.clientId();
        LOG.info(() ->
                "closing connection of " + clientId + " from " + ctx.channel().remoteAddress() + ": "
                        + (tooLarge
                                ? "packet larger than the maximum packet size [MQTT-3.2.2-15]"
                                : "malformed packet: " + why));
        session.execute(() -> c.disconnect(tooLarge ? ReasonCodes.PACKET_TOO_LARGE : ReasonCodes.MALFORMED_PACKET));
    }

    // ---------------------------------------------------------------- CONNECT

    private void onConnect(ChannelHandlerContext ctx, MqttConnectMessage msg) {
        MqttConnectVariableHeader vh = msg.variableHeader();
        MqttConnectPayload p = msg.payload();
        int level = vh.version();
        boolean v5 = level == 5;
        MqttProperties props = vh.properties();

        // Flags the decoder lets through.
        if (!vh.isWillFlag() && (vh.willQos() != 0 || vh.isWillRetain())) {
            refuse(ctx, "will QoS/retain set without the will flag [MQTT-3.1.2-13] [MQTT-3.1.2-15]");
            return;
        }
        if (vh.isWillFlag() && vh.willQos() > 2) {
            refuse(ctx, "will QoS 3 [MQTT-3.1.2-14]");
            return;
        }
        if (level == 4 && !vh.hasUserName() && vh.hasPassword()) {
            refuse(ctx, "password without user name [MQTT-3.1.2-22]");
            return;
        }
        String authMethod = v5 ? PublishProperties5.stringProperty(props, MqttProperties.AUTHENTICATION_METHOD) : null;
        EnhancedAuthenticator enhancedAuth = broker.config().enhancedAuthenticator(authMethod);
        if (authMethod != null && enhancedAuth == null) {
            connAckAndClose(
                    ctx,
                    MqttConnectReturnCode.CONNECTION_REFUSED_BAD_AUTHENTICATION_METHOD,
                    "unsupported authentication method " + authMethod + " [MQTT-4.12.0-1]");
            return;
        }
        int maxConnections = broker.config().maxConnections();
        if (maxConnections > 0 && broker.metrics().connections() > maxConnections) {
            connAckAndClose(
                    ctx,
                    v5
                            ? MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED
                            : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
                    "connection limit " + maxConnections + " reached");
            return;
        }

        String clientId = p.clientIdentifier();
        boolean assigned = false;
        if (clientId == null || clientId.isEmpty()) {
            if (level == 4 && !vh.isCleanSession()) {
                // [MQTT-3.1.3-8] zero-byte client id with CleanSession=0: CONNACK 0x02, close
                connAckAndClose(
                        ctx,
                        MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED,
                        "empty client identifier with CleanSession=0 [MQTT-3.1.3-8]");
                return;
            }
            if (level == 3) {
                connAckAndClose(
                        ctx,
                        MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED,
                        "empty client identifier in MQTT 3.1");
                return;
            }
            // [MQTT-3.1.3-6] the server assigns a unique id; MQTT 5 returns it in CONNACK [MQTT-3.2.2-16]
            clientId = "auto-" + UUID.randomUUID();
            assigned = true;
        }

        ApplicationMessage will = null;
        long willDelay = 0;
        if (vh.isWillFlag()) {
            String willTopic = p.willTopic();
            if (!Topics.isValidTopicName(willTopic)) {
                if (v5) {
                    connAckAndClose(
                            ctx, MqttConnectReturnCode.CONNECTION_REFUSED_TOPIC_NAME_INVALID, "invalid will topic");
                } else {
                    refuse(ctx, "invalid will topic '" + willTopic + "'");
                }
                return;
            }
            if (vh.willQos() > broker.config().maxQos()) {
                connAckAndClose(
                        ctx,
                        v5
                                ? MqttConnectReturnCode.CONNECTION_REFUSED_QOS_NOT_SUPPORTED
                                : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
                        "will QoS above Maximum QoS [MQTT-3.2.2-12]");
                return;
            }
            if (vh.isWillRetain() && !broker.config().retainAvailable()) {
                connAckAndClose(
                        ctx,
                        v5
                                ? MqttConnectReturnCode.CONNECTION_REFUSED_RETAIN_NOT_SUPPORTED
                                : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
                        "will retain not available [MQTT-3.2.2-13]");
                return;
            }
            MqttProperties wp = p.willProperties();
            will = new ApplicationMessage(
                    willTopic,
                    p.willMessageInBytes(),
                    vh.willQos(),
                    vh.isWillRetain(),
                    v5 ? PublishProperties5.fromMqtt(wp) : io.mqttra.api.PublishProperties.NONE);
            willDelay = v5 ? PublishProperties5.unsignedIntProperty(wp, MqttProperties.WILL_DELAY_INTERVAL, 0) : 0;
        }

        long requestedExpiry = v5
                ? PublishProperties5.unsignedIntProperty(props, MqttProperties.SESSION_EXPIRY_INTERVAL, 0)
                : vh.isCleanSession() ? 0 : ConnectRequest.NEVER_EXPIRES;
        long expiry = Math.min(requestedExpiry, broker.config().maxSessionExpirySeconds());
        int receiveMaximum = v5 ? PublishProperties5.intProperty(props, MqttProperties.RECEIVE_MAXIMUM, 65535) : 65535;
        long maxPacketSize = v5
                ? PublishProperties5.unsignedIntProperty(
                        props, MqttProperties.MAXIMUM_PACKET_SIZE, PacketSize.PROTOCOL_MAXIMUM)
                : PacketSize.PROTOCOL_MAXIMUM;
        if (receiveMaximum == 0 || maxPacketSize == 0) {
            connAckAndClose(
                    ctx,
                    MqttConnectReturnCode.CONNECTION_REFUSED_PROTOCOL_ERROR,
                    "Receive Maximum or Maximum Packet Size of 0 [MQTT-3.1.2-?]");
            return;
        }

        // [MQTT-3.1.2-26] [MQTT-3.1.2-27] the client's Topic Alias Maximum bounds the aliases the broker sends it
        int aliasMaximum = v5
                ? Math.min(
                        broker.config().outgoingTopicAliasMaximum(),
                        PublishProperties5.intProperty(props, MqttProperties.TOPIC_ALIAS_MAXIMUM, 0))
                : 0;

        int keepAlive = vh.keepAliveTimeSeconds();
        int serverKeepAlive = broker.config().serverKeepAliveSeconds();
        boolean overrideKeepAlive = v5 && serverKeepAlive > 0 && serverKeepAlive != keepAlive;
        if (overrideKeepAlive) {
            keepAlive = serverKeepAlive;
        }
        Admission admission = new Admission(
                new ConnectRequest(clientId, level, vh.isCleanSession(), expiry, will, willDelay),
                receiveMaximum,
                maxPacketSize,
                aliasMaximum,
                requestedExpiry,
                keepAlive,
                overrideKeepAlive,
                assigned,
                v5 && PublishProperties5.intProperty(props, MqttProperties.REQUEST_RESPONSE_INFORMATION, 0) == 1);
        if (enhancedAuth != null) {
            pendingAuth = new PendingAuth(admission, enhancedAuth, enhancedAuth.start(clientId));
            continueAuthentication(ctx, authenticationData(props));
            return;
        }
        login(ctx, msg, admission);
    }

    // ---------------------------------------------------------------- user name and password

    /** Packets the client sent after CONNECT while its credentials are checked; null when not checking. */
    private java.util.List<Object> heldDuringLogin;
    /** The ACL of the connection being admitted, compiled for its principal. */
    private TopicPermissions permissions;

    /**
     * Checks the CONNECT's user name and password, off the event loop when an authenticator is configured (it
     * may be slow); meanwhile reading pauses and packets already decoded wait. A refusal gets the CONNACK code of
     * its reason: bad credentials 0x04 (3.1.1) / 0x86 (5.0), not authorized 0x05 / 0x87, unavailable 0x03 / 0x88
     * [MQTT-3.1.4-2] [MQTT-3.2.2-5]. Failed logins are counted and their refusals delayed by the login throttle.
     */
    private void login(ChannelHandlerContext ctx, MqttConnectMessage msg, Admission admission) {
        BrokerSecurity security = broker.security();
        String clientId = admission.request().clientId();
        if (!security.authenticates()) {
            admitAs(ctx, admission, MqttPrincipal.ANONYMOUS);
            return;
        }
        MqttConnectVariableHeader vh = msg.variableHeader();
        MqttConnectPayload p = msg.payload();
        byte[] password = vh.hasPassword() ? p.passwordInBytes() : null;
        Credentials credentials = new Credentials(
                clientId,
                vh.hasUserName() ? p.userName() : null,
                password,
                ctx.channel().remoteAddress(),
                vh.version());
        if (password != null) {
            java.util.Arrays.fill(password, (byte) 0); // Credentials holds its own copy
        }
        heldDuringLogin = new java.util.ArrayList<>(2);
        ctx.channel().config().setAutoRead(false);
        security.login(credentials, ctx.channel().eventLoop()).whenComplete((result, failure) -> {
            credentials.clear();
            java.util.List<Object> held = heldDuringLogin;
            heldDuringLogin = null;
            if (!ctx.channel().isActive()) {
                held.forEach(ReferenceCountUtil::release);
                return;
            }
            ctx.channel().config().setAutoRead(true);
            if (result instanceof AuthResult.Granted granted && admitAs(ctx, admission, granted.principal())) {
                for (Object m : held) {
                    channelRead(ctx, m);
                }
                return;
            }
            held.forEach(ReferenceCountUtil::release);
            if (result instanceof AuthResult.Refused refused) {
                connAckAndClose(
                        ctx,
                        MqttConnectReturnCode.valueOf((byte) refused.reason().connAckCode(vh.version())),
                        "login of " + credentials + " refused: " + refused.detail());
            } else if (failure != null) {
                connAckAndClose(
                        ctx,
                        MqttConnectReturnCode.valueOf((byte) Refusal.UNAVAILABLE.connAckCode(vh.version())),
                        "login of " + credentials + " failed: " + failure);
            }
        });
    }

    /**
     * Admits the client with the permissions of its principal, unless its will is on a topic it may not publish
     * to (CONNACK 0x87 in 5.0, 0x05 in 3.1.1). Returns whether it was admitted.
     */
    private boolean admitAs(ChannelHandlerContext ctx, Admission admission, MqttPrincipal principal) {
        ConnectRequest request = admission.request();
        TopicPermissions granted = broker.security().permissions(principal, request.clientId());
        if (request.will() != null && !granted.canPublish(request.will().topic())) {
            broker.security().publishDenied();
            connAckAndClose(
                    ctx,
                    request.protocolLevel() == 5
                            ? MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5
                            : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
                    "client " + request.clientId() + " (" + principal + ") may not publish its will on '"
                            + request.will().topic() + "'");
            return false;
        }
        LOG.fine(() -> "client " + request.clientId() + " acts as " + principal + " with " + granted);
        this.permissions = granted;
        admit(ctx, admission, null);
        return true;
    }

    /** What an accepted CONNECT asked for, kept while an enhanced authentication exchange runs. */
    private record Admission(
            ConnectRequest request,
            int receiveMaximum,
            long maxPacketSize,
            int topicAliasMaximum,
            long requestedExpiry,
            int keepAlive,
            boolean overrideKeepAlive,
            boolean assignedId,
            boolean responseInformation) {}

    /** An MQTT 5 enhanced authentication exchange in progress before CONNACK. */
    private record PendingAuth(
            Admission admission, EnhancedAuthenticator authenticator, EnhancedAuthenticator.Exchange exchange) {}

    private PendingAuth pendingAuth;

    private static byte[] authenticationData(MqttProperties props) {
        var p = props == null ? null : props.getProperty(MqttProperties.AUTHENTICATION_DATA);
        return p == null ? new byte[0] : (byte[]) p.value();
    }

    /** AUTH during CONNECT: only Continue authentication (0x18) with the same method is allowed [MQTT-4.12.0-?]. */
    private void onAuthBeforeConnack(ChannelHandlerContext ctx, MqttMessage m) {
        MqttReasonCodeAndPropertiesVariableHeader vh = (MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader();
        String method = PublishProperties5.stringProperty(vh.properties(), MqttProperties.AUTHENTICATION_METHOD);
        if ((vh.reasonCode() & 0xFF) != 0x18
                || !pendingAuth.authenticator().method().equals(method)) {
            connAckAndClose(
                    ctx,
                    MqttConnectReturnCode.CONNECTION_REFUSED_PROTOCOL_ERROR,
                    "AUTH with another reason code or method during enhanced authentication [MQTT-4.12.0-4]");
            return;
        }
        continueAuthentication(ctx, authenticationData(vh.properties()));
    }

    private void continueAuthentication(ChannelHandlerContext ctx, byte[] clientData) {
        PendingAuth auth = pendingAuth;
        EnhancedAuthenticator.Step step;
        try {
            step = auth.exchange().evaluate(clientData);
        } catch (RuntimeException e) {
            LOG.log(
                    Level.WARNING,
                    "enhanced authentication method " + auth.authenticator().method() + " failed",
                    e);
            step = EnhancedAuthenticator.Step.failure();
        }
        String clientId = auth.admission().request().clientId();
        switch (step.outcome()) {
            case CONTINUE ->
                ctx.writeAndFlush(authPacket((byte) 0x18, auth.authenticator().method(), step.data()));
            case SUCCESS -> {
                pendingAuth = null;
                MqttProperties extra = new MqttProperties();
                extra.add(new StringProperty(
                        MqttProperties.AUTHENTICATION_METHOD,
                        auth.authenticator().method()));
                if (step.data() != null) {
                    extra.add(new MqttProperties.BinaryProperty(MqttProperties.AUTHENTICATION_DATA, step.data()));
                }
                admit(ctx, auth.admission(), extra, auth.authenticator());
            }
            default ->
                connAckAndClose(
                        ctx,
                        MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5,
                        "enhanced authentication " + auth.authenticator().method() + " of " + clientId + " failed");
        }
    }

    static MqttMessage authPacket(byte reasonCode, String method, byte[] data) {
        MqttProperties p = new MqttProperties();
        p.add(new StringProperty(MqttProperties.AUTHENTICATION_METHOD, method));
        if (data != null) {
            p.add(new MqttProperties.BinaryProperty(MqttProperties.AUTHENTICATION_DATA, data));
        }
        return new MqttMessage(
                new MqttFixedHeader(MqttMessageType.AUTH, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttReasonCodeAndPropertiesVariableHeader(reasonCode, p));
    }

    /** The CONNECT is accepted: attach the connection to its session and send CONNACK from the session. */
    private void admit(ChannelHandlerContext ctx, Admission a, MqttProperties extraAckProps) {
        admit(ctx, a, extraAckProps, null);
    }

    private void admit(
            ChannelHandlerContext ctx, Admission a, MqttProperties extraAckProps, EnhancedAuthenticator enhancedAuth) {
        ctx.pipeline().remove(CONNECT_TIMEOUT);
        ConnectRequest request = a.request();
        String clientId = request.clientId();
        int level = request.protocolLevel();
        boolean v5 = level == 5;
        if (a.keepAlive() > 0) {
            // [MQTT-3.1.2-24] disconnect if nothing arrives within one and a half times the keep alive
            ctx.pipeline()
                    .addBefore(
                            ctx.name(),
                            KEEP_ALIVE,
                            new IdleStateHandler(a.keepAlive() * 1500L, 0, 0, TimeUnit.MILLISECONDS));
        }
        ClientConnection c = new ClientConnection(
                ctx.channel(),
                broker,
                clientId,
                level,
                a.receiveMaximum(),
                a.maxPacketSize(),
                request.expiryIntervalSeconds(),
                a.topicAliasMaximum());
        c.keepAliveSeconds(a.keepAlive());
        c.enhancedAuthenticator(enhancedAuth);
        Session s = broker.registry()
                .claim(clientId, id -> new Session(broker, id, ctx.channel().eventLoop()));
        c.bind(s);
        // Enhanced authentication does not name a principal: such clients get the anonymous ACL.
        c.authorize(
                permissions != null ? permissions : broker.security().permissions(MqttPrincipal.ANONYMOUS, clientId));
        permissions = null;
        this.connection = c;
        this.session = s;
        s.attach(c, request, present -> {
            MqttProperties ackProps = MqttProperties.NO_PROPERTIES;
            if (v5) {
                long expiry = request.expiryIntervalSeconds();
                ackProps = connAckProperties(
                        a.assignedId() ? clientId : null,
                        a.overrideKeepAlive() ? a.keepAlive() : -1,
                        expiry != a.requestedExpiry() ? expiry : -1);
                if (a.responseInformation()) {
                    // Request Response Information: a topic prefix this client may use for responses [MQTT-3.1.2-28]
                    ackProps.add(new StringProperty(MqttProperties.RESPONSE_INFORMATION, "response/" + clientId));
                }
                if (extraAckProps != null) {
                    extraAckProps.listAll().forEach(ackProps::add);
                }
            }
            broker.metrics().connectionAccepted();
            c.send(new MqttConnAckMessage(
                    new MqttFixedHeader(MqttMessageType.CONNACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                    new MqttConnAckVariableHeader(MqttConnectReturnCode.CONNECTION_ACCEPTED, present, ackProps)));
            LOG.fine(() -> "client " + clientId + " connected from "
                    + ctx.channel().remoteAddress() + " (MQTT level " + level + ", session present " + present + ")");
        });
    }

    private MqttProperties connAckProperties(String assignedClientId, int serverKeepAlive, long sessionExpiry) {
        MqttProperties p = new MqttProperties();
        var cfg = broker.config();
        if (assignedClientId != null) {
            p.add(new StringProperty(MqttProperties.ASSIGNED_CLIENT_IDENTIFIER, assignedClientId));
        }
        if (cfg.receiveMaximum() != 65535) {
            p.add(new IntegerProperty(MqttProperties.RECEIVE_MAXIMUM, cfg.receiveMaximum()));
        }
        if (cfg.maxQos() < 2) {
            p.add(new IntegerProperty(MqttProperties.MAXIMUM_QOS, cfg.maxQos()));
        }
        if (!cfg.retainAvailable()) {
            p.add(new IntegerProperty(MqttProperties.RETAIN_AVAILABLE, 0));
        }
        p.add(new IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, cfg.maxPacketSize()));
        p.add(new IntegerProperty(MqttProperties.TOPIC_ALIAS_MAXIMUM, cfg.topicAliasMaximum()));
        if (serverKeepAlive >= 0) {
            p.add(new IntegerProperty(MqttProperties.SERVER_KEEP_ALIVE, serverKeepAlive)); // [MQTT-3.2.2-21]
        }
        if (sessionExpiry >= 0) {
            p.add(new IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, (int) sessionExpiry));
        }
        return p;
    }

    private static boolean isV5(ChannelHandlerContext ctx) {
        // The decoder records the version of the CONNECT it decoded; reuse its view through the encoder's rules.
        io.netty.util.Attribute<?> a =
                ctx.channel().attr(io.netty.util.AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION"));
        Object v = a.get();
        return v != null && v.toString().equals("MQTT_5");
    }

    private void connAckAndClose(ChannelHandlerContext ctx, MqttConnectReturnCode code, String why) {
        broker.metrics().connectionRejected();
        LOG.info(() -> "refusing connection from " + ctx.channel().remoteAddress() + " with CONNACK "
                + String.format("0x%02X", code.byteValue()) + ": " + why);
        MqttConnAckMessage ack = new MqttConnAckMessage(
                new MqttFixedHeader(MqttMessageType.CONNACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttConnAckVariableHeader(code, false, MqttProperties.NO_PROPERTIES));
        // [MQTT-3.2.2-4] / [MQTT-3.2.2-5]: session present 0 and close after a refusal
        ctx.channel().writeAndFlush(ack).addListener(ChannelFutureListener.CLOSE);
        if (ctx.pipeline().get(CONNECT_TIMEOUT) != null) {
            ctx.pipeline().remove(CONNECT_TIMEOUT);
        }
        connectionRefused = true;
    }

    private boolean connectionRefused;

    private void refuse(ChannelHandlerContext ctx, String why) {
        if (!connectionRefused) {
            connectionRefused = true;
            broker.metrics().connectionRejected();
            LOG.info(() -> "closing connection from " + ctx.channel().remoteAddress() + ": " + why);
        }
        ctx.close();
    }

    // ---------------------------------------------------------------- end of connection

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && connection != null) {
            ClientConnection c = connection;
            LOG.info(() -> "closing connection of " + c.clientId() + " from "
                    + ctx.channel().remoteAddress() + ": keep alive timeout [MQTT-3.1.2-24]");
            session.execute(() -> c.disconnect(ReasonCodes.KEEP_ALIVE_TIMEOUT));
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (session != null && ctx.channel().isWritable()) {
            session.writable(); // the retained backlog may go on
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        broker.metrics().connectionClosed();
        if (connection != null) {
            ClientConnection c = connection;
            // [MQTT-3.1.2-8] the will is published unless the client sent a normal DISCONNECT [MQTT-3.1.2-10]
            session.execute(() -> session.detach(c, !c.disconnectedWithoutWill()));
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        String who = connection == null ? "" : " of " + connection.clientId();
        if (cause instanceof IOException) {
            LOG.fine(() -> "connection" + who + " from " + ctx.channel().remoteAddress() + " failed: " + cause);
        } else {
            LOG.log(
                    Level.WARNING,
                    "closing connection" + who + " from " + ctx.channel().remoteAddress() + " after an internal error",
                    cause);
        }
        ctx.close();
    }
}
