package io.mqttra.broker.session;

import io.mqttra.broker.BrokerException;
import io.mqttra.broker.LocalSession;
import io.mqttra.broker.LocalSubscriber;
import io.mqttra.broker.routing.SharedFilter;
import io.mqttra.broker.routing.Subscription;
import io.mqttra.broker.routing.Topics;
import io.netty.util.concurrent.EventExecutor;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Opens sessions without a socket for code inside the server. A local session is a persistent session that
 * never expires while open (its queue survives a restart with a durable store) and ends when closed.
 */
public final class LocalSessions {

    private static final long WAIT_SECONDS = 10;

    private final BrokerContext ctx;

    public LocalSessions(BrokerContext ctx) {
        this.ctx = ctx;
    }

    public LocalSession open(String clientId, LocalSubscriber subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        if (clientId == null || clientId.isEmpty()) {
            throw new IllegalArgumentException("a local session needs a client id");
        }
        EventExecutor loop = ctx.eventLoops().next();
        Session session = ctx.registry().claim(clientId, id -> new Session(ctx, id, loop));
        LocalConnection connection =
                new LocalConnection(session, subscriber, loop, ctx.config().maxInflight());
        CompletableFuture<Void> attached = new CompletableFuture<>();
        session.attach(
                connection,
                new ConnectRequest(clientId, 5, false, ConnectRequest.NEVER_EXPIRES, null, 0),
                present -> attached.complete(null));
        await(session, attached, "open local session " + clientId);
        return new Handle(session, connection);
    }

    private static void await(Session session, CompletableFuture<?> f, String what) {
        if (session.eventLoop().inEventLoop()) {
            return; // cannot wait on our own thread; the task runs right after the caller's
        }
        try {
            f.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerException("interrupted: " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new BrokerException("could not " + what, e);
        }
    }

    private final class Handle implements LocalSession {
        private final Session session;
        private final LocalConnection connection;

        Handle(Session session, LocalConnection connection) {
            this.session = session;
            this.connection = connection;
        }

        @Override
        public String clientId() {
            return session.clientId();
        }

        @Override
        public void subscribe(String topicFilter, int maxQos, int subscriptionIdentifier) {
            if (maxQos < 0 || maxQos > 2) {
                throw new IllegalArgumentException("QoS must be 0, 1 or 2: " + maxQos);
            }
            if (subscriptionIdentifier < 0 || subscriptionIdentifier > 268_435_455) {
                throw new IllegalArgumentException("subscription identifier out of range: " + subscriptionIdentifier);
            }
            SharedFilter shared = SharedFilter.parse(topicFilter);
            if (shared == null && (Topics.isShared(topicFilter) || !Topics.isValidFilter(topicFilter))) {
                throw new IllegalArgumentException("not a valid MQTT topic filter: " + topicFilter);
            }
            Subscription s = new Subscription(
                    session,
                    shared == null ? topicFilter : shared.filter(),
                    shared == null ? null : shared.group(),
                    Math.min(maxQos, ctx.config().maxQos()),
                    false,
                    false,
                    0,
                    subscriptionIdentifier);
            CompletableFuture<Void> done = new CompletableFuture<>();
            session.execute(() -> {
                session.subscribe(s);
                if (s.shareGroup() == null) {
                    ctx.router().sendRetained(s);
                }
                done.complete(null);
            });
            await(session, done, "subscribe " + topicFilter);
        }

        @Override
        public void unsubscribe(String topicFilter) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            session.execute(() -> {
                session.unsubscribe(topicFilter);
                done.complete(null);
            });
            await(session, done, "unsubscribe " + topicFilter);
        }

        @Override
        public void close() {
            connection.close();
            session.terminate(connection, true);
        }
    }
}
