package io.mqttra.broker.session;

import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.Delivery;
import io.mqttra.broker.LocalSubscriber;
import io.mqttra.broker.routing.RoutedMessage;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The "connection" of a session inside the server: deliveries go to a {@link LocalSubscriber} instead of a
 * socket. A QoS 1/2 delivery stays in flight until the subscriber acknowledges it, so the Receive Maximum
 * window is the back-pressure towards message-driven beans.
 */
final class LocalConnection implements Connection {

    private static final Logger LOG = Logger.getLogger(LocalConnection.class.getName());

    private final Session session;
    private final LocalSubscriber subscriber;
    private final EventExecutor eventLoop;
    private final int receiveMaximum;
    private volatile boolean open = true;

    LocalConnection(Session session, LocalSubscriber subscriber, EventExecutor eventLoop, int receiveMaximum) {
        this.session = session;
        this.subscriber = subscriber;
        this.eventLoop = eventLoop;
        this.receiveMaximum = receiveMaximum;
    }

    @Override
    public EventExecutor eventLoop() {
        return eventLoop;
    }

    @Override
    public int protocolLevel() {
        return 5;
    }

    @Override
    public int receiveMaximum() {
        return receiveMaximum;
    }

    @Override
    public boolean isLocal() {
        return true;
    }

    @Override
    public boolean sendPublish(OutgoingMessage message, boolean dup) {
        if (!open) {
            return true;
        }
        try {
            subscriber.onMessage(new LocalDelivery(session, message, dup));
        } catch (RuntimeException e) {
            // The subscriber's bug must not break the session: the message stays in flight and is
            // redelivered when the session resumes.
            LOG.log(Level.WARNING, "local subscriber of " + session.clientId() + " failed", e);
        }
        return true;
    }

    @Override
    public void sendPubRel(int packetId) {
        // A local delivery is acknowledged in one step; nothing to do.
    }

    @Override
    public void flush() {}

    @Override
    public void closeForTakeover() {
        open = false;
        LOG.info(() -> "local session " + session.clientId() + " was taken over by a network client");
    }

    @Override
    public void close() {
        open = false;
    }

    private static final class LocalDelivery implements Delivery {
        private final Session session;
        private final OutgoingMessage outgoing;
        private final ApplicationMessage message;
        private final boolean dup;
        private final AtomicBoolean acknowledged = new AtomicBoolean();
        private final CompletableFuture<Void> removed = new CompletableFuture<>();

        LocalDelivery(Session session, OutgoingMessage outgoing, boolean dup) {
            this.session = session;
            this.outgoing = outgoing;
            RoutedMessage r = outgoing.routed();
            ApplicationMessage m = r.message();
            this.message = m.qos() == r.qos() && m.retain() == r.retain()
                    ? m
                    : new ApplicationMessage(m.topic(), m.payload(), r.qos(), r.retain(), m.properties());
            this.dup = dup;
        }

        @Override
        public ApplicationMessage message() {
            return message;
        }

        @Override
        public boolean dup() {
            return dup;
        }

        @Override
        public List<Integer> subscriptionIdentifiers() {
            return outgoing.routed().subscriptionIdentifiers();
        }

        @Override
        public long messageId() {
            return outgoing.routed().qos() > 0 ? outgoing.routed().messageId() : 0;
        }

        @Override
        public int deliveryCount() {
            return outgoing.deliveryCount();
        }

        @Override
        public CompletableFuture<Void> countDelivery() {
            // One delivery thread per message at a time (the subscriber's), so the increment does not race.
            outgoing.deliveryCount(outgoing.deliveryCount() + 1);
            if (!outgoing.stored()) {
                return CompletableFuture.completedFuture(null);
            }
            return session.context()
                    .stores()
                    .messages()
                    .countDelivery(session.clientId(), outgoing.routed().messageId());
        }

        @Override
        public void acknowledge() {
            acknowledgeDurably();
        }

        @Override
        public CompletableFuture<Void> acknowledgeDurably() {
            if (outgoing.routed().qos() > 0 && acknowledged.compareAndSet(false, true)) {
                int packetId = outgoing.packetId();
                session.execute(() -> session.onLocalAck(packetId, outgoing).whenComplete((v, e) -> {
                    if (e == null) {
                        removed.complete(null);
                    } else {
                        removed.completeExceptionally(e);
                    }
                }));
            } else if (outgoing.routed().qos() == 0) {
                removed.complete(null);
            }
            return removed;
        }
    }
}
