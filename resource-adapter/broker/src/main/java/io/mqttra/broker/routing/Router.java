package io.mqttra.broker.routing;

import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.BrokerMetrics;
import io.mqttra.broker.store.ExactlyOnceEnqueue;
import io.mqttra.broker.store.MessageStore;
import io.mqttra.broker.store.RetainedStore;
import io.mqttra.broker.store.SessionStore;
import io.mqttra.broker.store.TransactionId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The post office: takes a published message, finds the matching subscriptions in the {@link SubscriptionTree},
 * decides per session the QoS, RETAIN flag and subscription identifiers, stores the message once for the
 * persistent sessions that must get it, and hands it to each session.
 *
 * <p>Runs on the publisher's thread; holds no lock of its own.
 */
public final class Router {

    private final SubscriptionTree tree;
    private final RetainedMessages retained;
    private final MessageStore messageStore;
    private final RetainedStore retainedStore;
    private final SessionStore sessionStore;
    private final BrokerMetrics metrics;
    private final AtomicLong messageIds;

    public Router(
            SubscriptionTree tree,
            RetainedMessages retained,
            MessageStore messageStore,
            RetainedStore retainedStore,
            SessionStore sessionStore,
            BrokerMetrics metrics,
            long firstMessageId) {
        this.sessionStore = sessionStore;
        this.tree = tree;
        this.retained = retained;
        this.messageStore = messageStore;
        this.retainedStore = retainedStore;
        this.metrics = metrics;
        this.messageIds = new AtomicLong(firstMessageId);
    }

    public long nextMessageId() {
        return messageIds.incrementAndGet();
    }

    /**
     * Routes a message published by {@code publisherId} (null for internal publishes).
     *
     * @return completes when every store write the message caused is durable: the retained message and the
     *         queue entries of persistent sessions. The caller acknowledges the publisher then.
     */
    public CompletableFuture<Void> route(ApplicationMessage message, String publisherId) {
        return route(message, publisherId, 0);
    }

    /**
     * Routes a QoS 2 message of a persistent publisher: its packet id is recorded as received in the same
     * durable write as the message ({@link ExactlyOnceEnqueue}), so that after a crash the client's resend is
     * neither lost nor delivered twice [MQTT-4.3.3-9].
     *
     * @param incomingQos2PacketId the PUBLISH's packet id, or 0 when nothing is to be recorded
     */
    public CompletableFuture<Void> route(ApplicationMessage message, String publisherId, int incomingQos2PacketId) {
        return route(message, publisherId, incomingQos2PacketId, false);
    }

    /**
     * @param throttle when true, the returned future also waits until every connected subscriber whose queue is
     *                 congested has drained, so that a network publisher's acknowledgement (and with it its
     *                 Receive Maximum window) follows the pace of the slowest consumer instead of overflowing
     *                 its queue. A shared subscription's group counts as congested when the member the message
     *                 goes to has no room, which it has only when no connected member has room. Internal publishes
     *                 do not wait here: an EJB must not hang on a slow device.
     */
    public CompletableFuture<Void> route(
            ApplicationMessage message, String publisherId, int incomingQos2PacketId, boolean throttle) {
        return route(
                message,
                publisherId,
                incomingQos2PacketId == 0 ? Receipt.NONE : Receipt.qos2(publisherId, incomingQos2PacketId),
                throttle);
    }

    /**
     * Routes message {@code seq} of a committed XA branch: its removal from the branch's prepared record is written
     * in the same durable write as its queue entries ({@link ExactlyOnceEnqueue#enqueuePrepared}), so that a commit
     * replayed after a crash does not route it again.
     */
    public CompletableFuture<Void> routePrepared(ApplicationMessage message, TransactionId xid, int seq) {
        return routePrepared(message, xid, seq, null);
    }

    /**
     * The subscriptions matching a topic, found once: an internal publish looks at them for congestion before it
     * routes, and routes with the same match when nothing held it back.
     */
    public static final class Matches {
        private final List<Subscription> direct = new ArrayList<>();
        private final List<SubscriptionTree.SharedGroup> groups = new ArrayList<>(0);

        private boolean isEmpty() {
            return direct.isEmpty() && groups.isEmpty();
        }
    }

    public Matches match(String topic) {
        Matches m = new Matches();
        tree.match(topic, m.direct, m.groups);
        return m;
    }

    /** {@link #route(ApplicationMessage, String)} for an internal publish, with subscriptions already matched. */
    public CompletableFuture<Void> routeMatched(ApplicationMessage message, Matches matched) {
        return route(message, null, Receipt.NONE, false, matched);
    }

    /** {@link #routePrepared(ApplicationMessage, TransactionId, int)} with subscriptions already matched. */
    public CompletableFuture<Void> routePrepared(
            ApplicationMessage message, TransactionId xid, int seq, Matches matched) {
        return route(message, null, Receipt.prepared(xid, seq), false, matched);
    }

    /** What must become durable together with a message's queue entries, even when there are none. */
    private record Receipt(String publisherId, int packetId, TransactionId xid, int seq) {
        static final Receipt NONE = new Receipt(null, 0, null, 0);

        static Receipt qos2(String publisherId, int packetId) {
            return new Receipt(publisherId, packetId, null, 0);
        }

        static Receipt prepared(TransactionId xid, int seq) {
            return new Receipt(null, 0, xid, seq);
        }
    }

    private CompletableFuture<Void> route(
            ApplicationMessage message, String publisherId, Receipt receipt, boolean throttle) {
        return route(message, publisherId, receipt, throttle, null);
    }

    /** @param matched the topic's subscriptions when the caller has just matched them, or null */
    private CompletableFuture<Void> route(
            ApplicationMessage message, String publisherId, Receipt receipt, boolean throttle, Matches matched) {
        long now = System.nanoTime();
        metrics.messageIn(message.qos(), message.payload().length);
        CompletableFuture<Void> retainedWrite = null;
        if (message.retain()) {
            retained.apply(message, now);
            retainedWrite =
                    message.payload().length == 0 ? retainedStore.remove(message.topic()) : retainedStore.put(message);
        }

        Matches m = matched != null ? matched : match(message.topic());
        List<Subscription> direct = m.direct;
        List<SubscriptionTree.SharedGroup> groups = m.groups;
        if (m.isEmpty()) {
            CompletableFuture<Void> written = receipt == Receipt.NONE ? null : enqueue(0, message, List.of(), receipt);
            return both(retainedWrite, written);
        }

        // One delivery per session even with overlapping subscriptions: the highest granted QoS and every
        // subscription identifier [MQTT-3.3.4-2] [MQTT-3.3.4-3].
        Map<Subscriber, Target> targets = new HashMap<>();
        for (Subscription s : direct) {
            if (s.noLocal() && s.subscriber().clientId().equals(publisherId)) {
                continue; // [MQTT-3.8.3-3]
            }
            targets.computeIfAbsent(s.subscriber(), k -> new Target()).add(s);
        }
        List<Subscription> sharedPicks = new ArrayList<>(groups.size());
        for (SubscriptionTree.SharedGroup g : groups) {
            Subscription s = g.pick(null);
            if (s != null) {
                sharedPicks.add(s);
            }
        }

        long messageId = nextMessageId();
        List<MessageStore.Reference> references = new ArrayList<>();
        List<Runnable> handOver = new ArrayList<>(targets.size() + sharedPicks.size());
        List<CompletableFuture<Void>> congested = null;
        for (Map.Entry<Subscriber, Target> e : targets.entrySet()) {
            Target t = e.getValue();
            int qos = Math.min(message.qos(), t.qos);
            // Only a delivery at QoS 1/2 waits in the session's queue: one at QoS 0 is sent or dropped at once (as
            // Mosquitto does), so a congested session must not hold back a publisher whose message it gets at QoS 0.
            if (throttle && qos > 0) {
                CompletableFuture<Void> c = e.getKey().congestion();
                if (c != null) {
                    congested = congested == null ? new ArrayList<>(2) : congested;
                    congested.add(c);
                }
            }
            prepare(
                    e.getKey(),
                    t.via,
                    message,
                    messageId,
                    qos,
                    t.retainAsPublished && message.retain(),
                    t.ids,
                    now,
                    references,
                    handOver);
        }
        for (Subscription s : sharedPicks) {
            int qos = Math.min(message.qos(), s.qos());
            // pick() prefers members with room: one without means the whole group is congested, and the publisher
            // waits for the member the message goes to, as for a direct subscriber.
            if (throttle && qos > 0 && !s.subscriber().hasRoom()) {
                CompletableFuture<Void> c = s.subscriber().congestion();
                if (c != null) {
                    congested = congested == null ? new ArrayList<>(2) : congested;
                    congested.add(c);
                }
            }
            prepare(
                    s.subscriber(),
                    s,
                    message,
                    messageId,
                    qos,
                    s.retainAsPublished() && message.retain(),
                    ids(s),
                    now,
                    references,
                    handOver);
        }
        CompletableFuture<Void> queued = references.isEmpty() && receipt == Receipt.NONE
                ? null
                : enqueue(messageId, message, references, receipt);
        handOver.forEach(Runnable::run);
        CompletableFuture<Void> result = both(retainedWrite, queued);
        if (congested != null) {
            congested.add(result);
            result = CompletableFuture.allOf(congested.toArray(new CompletableFuture<?>[0]));
        }
        return result;
    }

    /**
     * Completes when every connected session that a QoS 1/2 message with these subscriptions would go to at QoS 1/2
     * has room in its queue again (a subscription granted QoS 0 gets it at QoS 0, which never waits in a queue; of a
     * session's overlapping subscriptions the highest grant decides, so one granted QoS 1/2 is enough), and every
     * shared subscription's group whose connected members are all congested has a member with room; null when none
     * is congested. For publishers inside the server, which have no Receive Maximum window to hold back: they wait
     * before routing instead of overflowing a slow consumer's queue.
     */
    public CompletableFuture<Void> congestion(Matches matched) {
        List<CompletableFuture<?>> congested = null;
        for (Subscription s : matched.direct) {
            CompletableFuture<Void> c = s.qos() > 0 ? s.subscriber().congestion() : null;
            if (c != null) {
                congested = congested == null ? new ArrayList<>(2) : congested;
                congested.add(c);
            }
        }
        for (SubscriptionTree.SharedGroup g : matched.groups) {
            CompletableFuture<Object> c = g.anyRoom() ? null : firstDrained(g);
            if (c != null) {
                congested = congested == null ? new ArrayList<>(2) : congested;
                congested.add(c);
            }
        }
        // A new future either way: the caller's waiting must never complete a session's own congestion signal.
        return congested == null ? null : CompletableFuture.allOf(congested.toArray(new CompletableFuture<?>[0]));
    }

    /**
     * For a group whose connected members all lack room: completes when the first of them has drained (or has
     * been held for as long as a congested session may hold), since the message then has somewhere to go. Null when
     * none is connected or every one is stuck: a stuck member, whose hold is over, holds nobody back.
     */
    private static CompletableFuture<Object> firstDrained(SubscriptionTree.SharedGroup g) {
        List<CompletableFuture<Void>> members = new ArrayList<>(2);
        for (Subscription s : g.members()) {
            CompletableFuture<Void> c =
                    s.qos() > 0 && s.subscriber().isConnected() ? s.subscriber().congestion() : null;
            if (c != null && !c.isDone()) {
                members.add(c);
            }
        }
        return members.isEmpty() ? null : CompletableFuture.anyOf(members.toArray(new CompletableFuture<?>[0]));
    }

    private CompletableFuture<Void> enqueue(
            long messageId, ApplicationMessage message, List<MessageStore.Reference> references, Receipt r) {
        if (r == Receipt.NONE) {
            return messageStore.enqueue(messageId, message, references);
        }
        if (r.xid() != null) {
            if (messageStore instanceof ExactlyOnceEnqueue atomic) {
                return atomic.enqueuePrepared(messageId, message, references, r.xid(), r.seq());
            }
            // Without the capability a crash after routing may route the message again in recovery.
            return messageStore.enqueue(messageId, message, references);
        }
        String publisherId = r.publisherId();
        int incomingQos2PacketId = r.packetId();
        if (messageStore instanceof ExactlyOnceEnqueue atomic) {
            return atomic.enqueueWithReceipt(messageId, message, references, publisherId, incomingQos2PacketId);
        }
        CompletableFuture<Void> receipt = sessionStore.addIncomingQos2(publisherId, incomingQos2PacketId);
        return references.isEmpty()
                ? receipt
                : CompletableFuture.allOf(receipt, messageStore.enqueue(messageId, message, references));
    }

    private static CompletableFuture<Void> both(CompletableFuture<Void> a, CompletableFuture<Void> b) {
        if (a == null) {
            return b == null ? CompletableFuture.completedFuture(null) : b;
        }
        return b == null ? a : CompletableFuture.allOf(a, b);
    }

    /**
     * Delivers the retained messages matching a new subscription, with RETAIN set [MQTT-3.3.1-6], at
     * min(published, granted) QoS. All of them, however many: the subscriber paces them (a persistent
     * session stores each one when it takes it from its backlog).
     */
    public void sendRetained(Subscription s) {
        List<RetainedMessages.Retained> matching = retained.match(s.filter());
        if (matching.isEmpty()) {
            return;
        }
        List<RoutedMessage> messages = new ArrayList<>(matching.size());
        for (RetainedMessages.Retained r : matching) {
            ApplicationMessage m = r.message();
            messages.add(new RoutedMessage(
                    m, nextMessageId(), Math.min(m.qos(), s.qos()), true, ids(s), r.receivedAtNanos()));
        }
        s.subscriber().offerRetained(messages);
    }

    /**
     * Hands a message that a leaving shared-subscription member will never receive to another member of the
     * group (MQTT 5.0 section 4.8.2: a message is delivered to one member; it is not lost when that member goes).
     */
    public boolean redistribute(SubscriptionTree.SharedGroup group, RoutedMessage m, String leavingClientId) {
        Subscription s = group.pick(leavingClientId);
        if (s == null) {
            return false;
        }
        List<MessageStore.Reference> references = new ArrayList<>(1);
        List<Runnable> handOver = new ArrayList<>(1);
        prepare(
                s.subscriber(),
                s,
                m.message(),
                m.messageId(),
                Math.min(m.message().qos(), s.qos()),
                m.retain(),
                ids(s),
                m.receivedAtNanos(),
                references,
                handOver);
        if (!references.isEmpty()) {
            messageStore.enqueue(m.messageId(), m.message(), references);
        }
        handOver.forEach(Runnable::run);
        return true;
    }

    /** @param via the subscription {@code subscriber} was matched through (picked through, for a shared one) */
    private static void prepare(
            Subscriber subscriber,
            Subscription via,
            ApplicationMessage message,
            long messageId,
            int qos,
            boolean retain,
            List<Integer> ids,
            long receivedAt,
            List<MessageStore.Reference> references,
            List<Runnable> handOver) {
        if (qos > 0 && subscriber.isPersistent()) {
            references.add(new MessageStore.Reference(subscriber.clientId(), qos, retain, ids));
        }
        RoutedMessage routed = new RoutedMessage(message, messageId, qos, retain, ids, receivedAt);
        subscriber.expectOffer(messageId, via); // before the enqueue below is written, see Subscriber#expectOffer
        handOver.add(() -> subscriber.offer(routed, via));
    }

    private static List<Integer> ids(Subscription s) {
        return s.subscriptionIdentifier() > 0 ? List.of(s.subscriptionIdentifier()) : List.of();
    }

    private static final class Target {
        /**
         * One of the session's matching subscriptions: all of them belong to the session as it was when matched, so
         * one tells whether a Clean Start has discarded that session since (Subscriber#offer). The match may also see
         * a subscription the new session made meanwhile; the message then goes either way, as any message routed
         * while its subscription is being made may.
         */
        Subscription via;

        int qos = -1;
        boolean retainAsPublished;
        List<Integer> ids = List.of();

        void add(Subscription s) {
            if (via == null) {
                via = s;
            }
            qos = Math.max(qos, s.qos());
            retainAsPublished |= s.retainAsPublished();
            if (s.subscriptionIdentifier() > 0) {
                if (ids.isEmpty()) {
                    ids = new ArrayList<>(2);
                }
                ids.add(s.subscriptionIdentifier());
            }
        }
    }
}
