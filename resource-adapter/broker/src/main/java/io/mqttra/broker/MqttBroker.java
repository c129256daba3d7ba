package io.mqttra.broker;

import io.mqttra.api.admin.MqttBrokerAdmin;
import io.mqttra.broker.admin.BrokerAdministration;
import io.mqttra.broker.config.BrokerConfig;
import io.mqttra.broker.routing.RetainedMessages;
import io.mqttra.broker.routing.Router;
import io.mqttra.broker.routing.SubscriptionTree;
import io.mqttra.broker.routing.Topics;
import io.mqttra.broker.session.BrokerContext;
import io.mqttra.broker.session.Connection;
import io.mqttra.broker.session.LocalSessions;
import io.mqttra.broker.session.Session;
import io.mqttra.broker.session.SessionRegistry;
import io.mqttra.broker.store.QueuedMessage;
import io.mqttra.broker.store.StoredSession;
import io.mqttra.broker.store.Stores;
import io.mqttra.broker.store.TransactionId;
import io.mqttra.broker.sys.BrokerVersion;
import io.mqttra.broker.sys.SysTopicsPublisher;
import io.mqttra.broker.transport.ExtraListeners;
import io.mqttra.broker.transport.MqttChannelInitializer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.logging.Logger;

/**
 * The broker: one instance per server. Facade used by the resource adapter and by tests.
 *
 * <p>Threads: every event loop runs on the given {@link Executor} (in the server: JCA Work on the
 * WorkManager), or on the broker's own threads when it is null. Timers (keep alive, will delay, session
 * expiry) are scheduled on the event loops: the broker makes no other thread.
 */
public final class MqttBroker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MqttBroker.class.getName());

    private final BrokerConfig config;
    private final Executor threads;
    private final Stores stores;
    private final BrokerMetrics metrics = new BrokerMetrics();
    private final Object lifecycle = new Object();
    private volatile EventLoopGroup group;
    private volatile Channel serverChannel;
    private volatile ChannelGroup channels;
    private volatile BrokerContext context;
    private volatile LocalSessions localSessions;
    private volatile ExtraListeners extraListeners;
    private volatile SysTopicsPublisher sysTopics;
    private final BrokerAdministration administration = new BrokerAdministration(this, () -> context);

    /**
     * @param config  listeners and limits
     * @param threads runs every long-lived thread of the broker (event loops); in the server it runs each
     *                task as a JCA Work. Null: the broker makes its own threads (plain JVM, tests).
     */
    public MqttBroker(BrokerConfig config, Executor threads) {
        this(config, threads, Stores.inMemory());
    }

    /** A broker with its own threads and in-memory stores. */
    public MqttBroker(BrokerConfig config) {
        this(config, null);
    }

    /** A broker whose durable state lives in the given stores (e.g. the JPA stores of the persistence module). */
    public MqttBroker(BrokerConfig config, Executor threads, Stores stores) {
        this.config = java.util.Objects.requireNonNull(config, "config");
        this.threads = threads;
        this.stores = java.util.Objects.requireNonNull(stores, "stores");
        metrics.bindStoreCommits(stores.commits());
    }

    /**
     * Binds the listeners and starts accepting clients. Returns once bound.
     *
     * @throws BrokerException with a message naming the address and port when a listener cannot bind
     */
    public void start() {
        synchronized (lifecycle) {
            if (group != null) {
                return;
            }
            int n = config.ioThreads() > 0
                    ? config.ioThreads()
                    : Math.max(1, Runtime.getRuntime().availableProcessors());
            EventLoopGroup g = threads != null
                    ? new MultiThreadIoEventLoopGroup(n, threads, NioIoHandler.newFactory())
                    : new MultiThreadIoEventLoopGroup(
                            n, new DefaultThreadFactory("mqtt-broker"), NioIoHandler.newFactory());
            SubscriptionTree tree = new SubscriptionTree();
            RetainedMessages retained = new RetainedMessages();
            SessionRegistry registry = new SessionRegistry();
            List<StoredSession> storedSessions = stores.sessions().loadSessions();
            long firstMessageId = System.currentTimeMillis() << 20;
            Router router = new Router(
                    tree, retained, stores.messages(), stores.retained(), stores.sessions(), metrics, firstMessageId);
            BrokerContext ctx = new BrokerContext(
                    config,
                    metrics,
                    stores,
                    tree,
                    retained,
                    router,
                    registry,
                    g,
                    io.mqttra.broker.auth.BrokerSecurity.of(config, metrics));
            metrics.bindGauges(retained::size, tree::size, registry::size);
            restore(ctx, storedSessions);

            ChannelGroup all = new DefaultChannelGroup("mqtt", g.next());
            ServerBootstrap b = new ServerBootstrap()
                    .group(g)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new MqttChannelInitializer(ctx) {
                        @Override
                        protected void initChannel(Channel ch) {
                            all.add(ch);
                            super.initChannel(ch);
                        }
                    });
            String where = config.bindAddress() + ":" + config.port();
            try {
                Channel ch = b.bind(new InetSocketAddress(config.bindAddress(), config.port()))
                        .sync()
                        .channel();
                this.serverChannel = ch;
            } catch (Exception e) {
                g.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
                throw new BrokerException("cannot listen for MQTT on " + where + ": " + e, e);
            }
            try {
                this.extraListeners = ExtraListeners.bind(ctx, g, all);
            } catch (RuntimeException e) {
                serverChannel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
                serverChannel = null;
                g.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
                throw e;
            }
            this.sysTopics = SysTopicsPublisher.start(ctx, BrokerVersion.get());
            this.channels = all;
            this.context = ctx;
            this.localSessions = new LocalSessions(ctx);
            this.group = g;
            LOG.info(() -> "MQTT broker listening on " + config.bindAddress() + ":" + port() + " (" + n
                    + " event loops, " + storedSessions.size() + " stored sessions)");
            ctx.security().logListener(config.bindAddress());
        }
    }

    private void restore(BrokerContext ctx, List<StoredSession> storedSessions) {
        long now = System.nanoTime();
        stores.retained().loadAll().forEach(m -> ctx.retained().put(new RetainedMessages.Retained(m, now)));
        List<Session> sessions = new ArrayList<>(storedSessions.size());
        List<CompletableFuture<Void>> restored = new ArrayList<>(storedSessions.size());
        for (StoredSession s : storedSessions) {
            // Only what is in flight comes to the heap; the waiting messages are paged in once the client is back.
            List<QueuedMessage> inFlight = stores.messages().loadInFlight(s.clientId());
            long waiting = stores.messages().countWaiting(s.clientId());
            Session session = new Session(ctx, s.clientId(), ctx.eventLoops().next());
            ctx.registry().restore(session);
            restored.add(session.restore(s, inFlight, waiting));
            sessions.add(session);
        }
        // Wills go out once every subscription is back in the tree (and before clients can connect).
        try {
            CompletableFuture.allOf(restored.toArray(new CompletableFuture<?>[0]))
                    .get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new BrokerException("could not restore the stored sessions: " + e, e);
        }
        sessions.forEach(Session::publishRestoredWill);
    }

    /** The bound TCP port (useful when configured with port 0). */
    public int port() {
        Channel ch = serverChannel;
        if (ch == null) {
            throw new IllegalStateException("broker not started");
        }
        return ((InetSocketAddress) ch.localAddress()).getPort();
    }

    /** The bound port of the MQTT-over-TLS listener; -1 when it is off. */
    public int tlsPort() {
        return extraListeners().tlsPort();
    }

    /** The bound port of the MQTT-over-WebSocket listener; -1 when it is off. */
    public int wsPort() {
        return extraListeners().wsPort();
    }

    /** The bound port of the MQTT-over-secure-WebSocket listener; -1 when it is off. */
    public int wssPort() {
        return extraListeners().wssPort();
    }

    private ExtraListeners extraListeners() {
        ExtraListeners l = extraListeners;
        if (l == null) {
            throw new IllegalStateException("broker not started");
        }
        return l;
    }

    /**
     * Publishes a message from inside the server (an EJB through the connection factory).
     * The future completes once the message is routed to every matching session (and stored where
     * QoS and session persistence require), or fails with the reason. A QoS 1/2 message for a connected session
     * whose queue is congested waits (at most {@value Session#MAX_HOLD_MILLIS} ms) until it drains, instead of
     * being dropped at the queue limit.
     */
    public CompletableFuture<Void> publish(ApplicationMessage message) {
        return publish(message, (router, matched) -> router.routeMatched(message, matched));
    }

    /**
     * Publishes message {@code seq} of a prepared XA branch that its transaction manager committed: like
     * {@link #publish}, and the message leaves the branch's prepared record in the same durable write as its queue
     * entries, so that a commit replayed after a crash routes it only once.
     */
    public CompletableFuture<Void> publishPrepared(ApplicationMessage message, TransactionId xid, int seq) {
        return publish(message, (router, matched) -> router.routePrepared(message, xid, seq, matched));
    }

    /** @param route routes with the subscriptions it is given, or matches them again when given null */
    private CompletableFuture<Void> publish(
            ApplicationMessage message, BiFunction<Router, Router.Matches, CompletableFuture<Void>> route) {
        BrokerContext ctx = context;
        if (ctx == null) {
            return CompletableFuture.failedFuture(new BrokerException("broker not started"));
        }
        if (!Topics.isValidTopicName(message.topic())) {
            return CompletableFuture.failedFuture(new BrokerException("invalid topic name: '" + message.topic() + "'"));
        }
        if (message.qos() > config.maxQos()) {
            return CompletableFuture.failedFuture(
                    new BrokerException("QoS " + message.qos() + " above the broker's maximum QoS " + config.maxQos()));
        }
        // The topic is matched once for the congestion check and the routing, not twice per message.
        Router.Matches matched = ctx.router().match(message.topic());
        CompletableFuture<Void> congested = message.qos() > 0 ? ctx.router().congestion(matched) : null;
        if (congested == null) {
            return routeNow(ctx, message, route, matched);
        }
        // A slow consumer's queue is above half full: wait until it drains (the back-pressure that network publishers
        // get through their Receive Maximum); a session's congestion signal never holds longer than
        // Session.MAX_HOLD_MILLIS. Subscriptions may change meanwhile: the routing after the wait matches again.
        return congested.thenCompose(ignored -> routeNow(ctx, message, route, null));
    }

    private static CompletableFuture<Void> routeNow(
            BrokerContext ctx,
            ApplicationMessage message,
            BiFunction<Router, Router.Matches, CompletableFuture<Void>> route,
            Router.Matches matched) {
        try {
            return route.apply(ctx.router(), matched);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(
                    new BrokerException("could not route message on " + message.topic(), e));
        }
    }

    /** Opens (or resumes) a session without a socket, for the message-driven beans of the server. */
    public LocalSession openLocalSession(String clientId, LocalSubscriber subscriber) {
        LocalSessions ls = localSessions;
        if (ls == null) {
            throw new BrokerException("broker not started");
        }
        return ls.open(clientId, subscriber);
    }

    /** What operators see and do: clients, sessions, subscriptions, retained messages (console, admin object). */
    public MqttBrokerAdmin administration() {
        return administration;
    }

    /** The running broker's shared state; for tests that build a connection pipeline without a socket (fuzzing). */
    BrokerContext context() {
        return context;
    }

    /** Counters and gauges of this broker. */
    public BrokerMetrics metrics() {
        return metrics;
    }

    public BrokerConfig config() {
        return config;
    }

    /** Closes the listeners and every connection, and ends the broker's threads. Idempotent. */
    public void stop() {
        synchronized (lifecycle) {
            EventLoopGroup g = group;
            if (g == null) {
                return;
            }
            group = null;
            try {
                SysTopicsPublisher sys = sysTopics;
                if (sys != null) {
                    sys.close();
                }
                Channel ch = serverChannel;
                if (ch != null) {
                    ch.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
                }
                ExtraListeners extra = extraListeners;
                if (extra != null) {
                    extra.close();
                }
                BrokerContext ctx = context;
                if (ctx != null) {
                    // Only clients past CONNACK have a session's connection: DISCONNECT never precedes CONNACK
                    // [MQTT-3.14.0-1]. Netty writes it before the close below, which runs on the same event loop.
                    for (Session s : ctx.registry().all()) {
                        Connection c = s.connection();
                        if (c != null) {
                            c.closeForShutdown();
                        }
                    }
                }
                ChannelGroup all = channels;
                if (all != null) {
                    all.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
                }
            } finally {
                g.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
                serverChannel = null;
                extraListeners = null;
                sysTopics = null;
                channels = null;
                context = null;
                localSessions = null;
                LOG.info("MQTT broker stopped");
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}
