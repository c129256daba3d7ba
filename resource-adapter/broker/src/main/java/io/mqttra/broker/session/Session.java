package io.mqttra.broker.session;

import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.routing.RoutedMessage;
import io.mqttra.broker.routing.SharedFilter;
import io.mqttra.broker.routing.Subscriber;
import io.mqttra.broker.routing.Subscription;
import io.mqttra.broker.routing.SubscriptionTree;
import io.mqttra.broker.store.QueuedMessage;
import io.mqttra.broker.store.StoredSession;
import io.mqttra.broker.store.StoredSubscription;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The MQTT session of one client identifier (MQTT 3.1.1 / 5.0 section 4.1): its subscriptions, the QoS 1/2
 * messages in flight to it and queued for it, the QoS 2 packet ids it sent and has not released, its will.
 *
 * <p>All state is confined to the session's {@link SerialExecutor}; every method that touches it is either
 * a task of that executor (names ending in nothing special, called from connection tasks) or wraps itself in
 * {@link #execute}. A session lives on while disconnected if its expiry interval is above 0.
 */
public final class Session implements Subscriber {

    private static final Logger LOG = Logger.getLogger(Session.class.getName());

    private final BrokerContext ctx;
    private final String clientId;
    private final SerialExecutor executor;
    final AtomicInteger pendingAttaches = new AtomicInteger();

    private volatile boolean connected;
    private volatile boolean persistent;
    private boolean fresh = true;
    private boolean destroyed;
    private int protocolLevel = 4;
    private long expirySeconds;
    private Connection connection;
    private boolean wrote;

    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private final LinkedHashMap<Integer, OutgoingMessage> inflight = new LinkedHashMap<>();
    /** The head of the waiting messages, in order; for a persistent session the rest wait in the store only. */
    private final ArrayDeque<OutgoingMessage> queue = new ArrayDeque<>();
    /** Waiting messages in all, in {@link #queue} and in the store only: what the max-queued limit counts. */
    private long waiting;
    /** The store holds waiting messages of this session that {@link #queue} does not: they are paged in. */
    private boolean spilled;

    private boolean loading;
    /** Store position of the last message paged in; the next page starts after it. */
    private long pagedThrough;

    private boolean leftInStoreWhileLoading;
    /** Stored messages sent without going through the queue while a page was loading; see {@link #pagedIn}. */
    private final Set<Long> sentPastQueue = new HashSet<>();
    /** Identifies the current page load; a page that arrives after the queue was released or cleared is ignored. */
    private int loadGeneration;
    /** Announced by the router before the store write, not yet delivered: see {@link #expectOffer}. */
    private final AtomicInteger offersInTransit = new AtomicInteger();
    /** The ids among {@link #offersInTransit} picked through a shared subscription, each with its count. */
    private final ConcurrentHashMap<Long, Integer> sharedInTransit = new ConcurrentHashMap<>();
    /**
     * Subscriptions that {@link #clearState} ended (by identity: a new session's may equal them): what still comes
     * through them is not the current session's. A shared one's goes on to another member, a plain one's is discarded.
     */
    private final Set<Subscription> ended = Collections.newSetFromMap(new IdentityHashMap<>());
    /** When {@link #clearState} last added to {@link #ended}. */
    private long endedAtNanos;
    /** How long after a clear {@link #ended} is kept at least: far beyond the time a router holds a match. */
    private static final long ENDED_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final RetainedBacklog retainedBacklog = new RetainedBacklog();
    private final Set<Integer> incomingQos2 = new HashSet<>();
    private int lastPacketId;
    private long dropped;

    private ApplicationMessage will;
    private long willDelaySeconds;
    private ScheduledFuture<?> willTimer;
    private ApplicationMessage pendingWill;
    /** Wills of connections taken over, due when they close unless they sent DISCONNECT first. */
    private final Map<Connection, ApplicationMessage> takenOverWills = new java.util.HashMap<>(1);

    private ScheduledFuture<?> expiryTimer;

    public Session(BrokerContext ctx, String clientId, EventExecutor eventLoop) {
        this.ctx = ctx;
        this.clientId = clientId;
        this.executor = new SerialExecutor(eventLoop, this::flushIfWritten);
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public boolean isPersistent() {
        return persistent;
    }

    public void execute(Runnable task) {
        executor.execute(task);
    }

    public EventExecutor eventLoop() {
        return executor.target();
    }

    // ---------------------------------------------------------------- connection lifecycle

    /**
     * Attaches a new connection (the caller claimed the session in the registry first). Closes a previous
     * connection [MQTT-3.1.4-3], applies Clean Start, then calls {@code connAck} with the session-present flag
     * and resends what was in flight [MQTT-4.4.0-1].
     */
    public void attach(Connection c, ConnectRequest req, Consumer<Boolean> connAck) {
        execute(() -> {
            pendingAttaches.decrementAndGet();
            if (destroyed) {
                // Ended by the server (broker stopping) between claim and attach.
                c.close();
                return;
            }
            cancelExpiry();
            // A session with expiry 0 ends with its connection [MQTT-3.1.2-6]: the one taken over here, or the one
            // whose
            // end could not remove it because this attach had claimed it already. Nothing of it carries over.
            boolean clean = req.cleanStart() || (!fresh && expirySeconds == 0);
            if (connection != null) {
                Connection old = connection;
                connection = null;
                old.closeForTakeover();
                LOG.fine(() -> "client " + clientId + " taken over by a new connection");
                // The old connection did not DISCONNECT (yet): its will is due [MQTT-3.1.2-8], unless the session
                // continues and the will is delayed (MQTT 5 section 3.1.3.2.2). A DISCONNECT its client sent just
                // before this connection came may still be on its way: its end decides (see detach).
                if (will != null && (clean || willDelaySeconds == 0)) {
                    takenOverWills.put(old, will);
                }
                will = null;
            }
            if (willTimer != null) {
                // Reconnected within the will delay: the will is not sent, unless the session ends now [MQTT-3.1.3-9].
                willTimer.cancel(false);
                willTimer = null;
                if (clean && pendingWill != null) {
                    publishWill(pendingWill);
                }
                pendingWill = null;
            }
            boolean present = !clean && !fresh;
            if (clean) {
                // [MQTT-3.1.2-6] / [MQTT-3.1.2-4]: discard any existing session state.
                clearState();
            }
            fresh = false;
            protocolLevel = req.protocolLevel();
            expirySeconds = req.expiryIntervalSeconds();
            boolean wasPersistent = persistent;
            persistent = expirySeconds > 0;
            will = req.will();
            willDelaySeconds = req.willDelaySeconds();
            if (persistent) {
                ctx.stores().sessions().saveSession(toStored());
                if (!wasPersistent) {
                    for (Subscription s : subscriptions.values()) {
                        ctx.stores().sessions().saveSubscription(clientId, toStored(s));
                    }
                }
            } else if (wasPersistent) {
                ctx.stores().sessions().deleteSession(clientId);
            }
            if (wasPersistent && !persistent) {
                // The stored queue went with the stored session; only what is on the heap remains.
                spilled = false;
                setWaiting(queue.size());
            }
            executor.moveTo(c.eventLoop());
            connection = c;
            connected = true;
            connAck.accept(present);
            wrote = true;
            resendInflight();
            sendQueued();
        });
    }

    /**
     * The connection ended. {@code publishWill} is true unless the client sent DISCONNECT 0x00
     * [MQTT-3.1.2-10]; the will is then published now or after its delay, and the session ends now or when it expires.
     */
    public void detach(Connection c, boolean publishWill) {
        execute(() -> {
            if (connection != c) {
                // taken over already; its will, if the takeover left it due, unless it sent DISCONNECT after all
                ApplicationMessage w = takenOverWills.remove(c);
                if (w != null && publishWill) {
                    publishWill(w);
                }
                return;
            }
            connection = null;
            connected = false;
            releaseQueue();
            checkCongestion();
            ApplicationMessage w = will;
            will = null;
            if (persistent && w != null) {
                ctx.stores().sessions().saveSession(toStored()); // the will is consumed or cancelled now
            }
            if (persistent) {
                ctx.stores().sessions().sessionDisconnected(clientId, System.currentTimeMillis());
            }
            if (publishWill && w != null) {
                long delay = Math.min(willDelaySeconds, expirySeconds);
                if (delay > 0) {
                    pendingWill = w;
                    willTimer =
                            executor.target().schedule(() -> execute(this::willDelayElapsed), delay, TimeUnit.SECONDS);
                } else {
                    publishWill(w);
                }
            }
            if (expirySeconds == 0) {
                end();
            } else if (expirySeconds != ConnectRequest.NEVER_EXPIRES) {
                expiryTimer = executor.target().schedule(() -> execute(this::expire), expirySeconds, TimeUnit.SECONDS);
            }
        });
    }

    /**
     * The client sent DISCONNECT without asking for its will: the will is deleted now [MQTT-3.1.2-10] [MQTT-3.14.4-3],
     * not when the connection is gone, which a connection of the same client may take over first (and end it as if
     * the network had failed).
     */
    public void discardWill() {
        if (will != null) {
            will = null;
            if (persistent) {
                ctx.stores().sessions().saveSession(toStored());
            }
        }
    }

    /**
     * MQTT 5 DISCONNECT may change the session expiry interval (not from 0 to non-0 [MQTT-3.14.2-2]). At 0 the
     * session ends once the connection is gone, and the stored state goes with it then, not now: the end still reads
     * the stored queue to hand it on to the other members of its shared subscriptions.
     */
    public void updateExpiry(long seconds) {
        expirySeconds = seconds;
        if (seconds > 0) {
            persistent = true;
            ctx.stores().sessions().saveSession(toStored());
        }
    }

    /** The server ends the session (local session closed, broker stopping): no will delay, no expiry. */
    public void terminate(boolean deleteStored) {
        terminate(null, deleteStored);
    }

    /**
     * Like {@link #terminate(boolean)}, but only while {@code onlyWhile} is still the attached connection (a local
     * session closed after a network client took its client id over must not end the client's session).
     */
    public void terminate(Connection onlyWhile, boolean deleteStored) {
        execute(() -> {
            if (onlyWhile != null && connection != onlyWhile) {
                return;
            }
            if (connection != null) {
                Connection c = connection;
                connection = null;
                connected = false;
                c.close();
                if (persistent && !deleteStored) {
                    ctx.stores().sessions().sessionDisconnected(clientId, System.currentTimeMillis());
                }
            }
            if (deleteStored) {
                expirySeconds = 0;
                end();
            } else {
                destroyed = true;
                cancelExpiry();
                if (willTimer != null) {
                    willTimer.cancel(false);
                }
            }
        });
    }

    private void willDelayElapsed() {
        willTimer = null;
        if (pendingWill != null && connection == null) {
            publishWill(pendingWill);
        }
        pendingWill = null;
    }

    private void expire() {
        expiryTimer = null;
        if (connection == null) {
            LOG.fine(() -> "session " + clientId + " expired");
            end();
        }
    }

    /** Ends the session if no connection is about to resume it. */
    private void end() {
        if (destroyed || !ctx.registry().removeIfIdle(this)) {
            return;
        }
        destroyed = true;
        checkCongestion();
        cancelExpiry();
        if (willTimer != null) {
            // The session ends before the will delay: the will is sent now (MQTT 5 section 3.1.3.2.2).
            willTimer.cancel(false);
            willTimer = null;
            if (pendingWill != null) {
                publishWill(pendingWill);
            }
        }
        clearState();
    }

    private void clearState() {
        for (Subscription s : subscriptions.values()) {
            ctx.tree().remove(clientId, s.filter(), s.shareGroup());
        }
        List<OutgoingMessage> unsent = new ArrayList<>(inflight.size() + queue.size());
        for (OutgoingMessage m : inflight.values()) {
            // A QoS 2 message this client was being sent goes to nobody else [MQTT-4.8.2-5]; at QoS 1 the server
            // should send it to another member (MQTT 5.0 section 4.8.2).
            if (m.routed().qos() != 2) {
                unsent.add(m);
            }
        }
        unsent.addAll(queue);
        List<Subscription> shared = sharedSubscriptions();
        // Read before the delete below, which the store orders after it: the rest of the queue, that only the store
        // holds, goes to the other members too. All of it in one read, which the queue limit bounds; the offers still
        // on their way here may have been written to the store before it too, so they count towards its size.
        CompletableFuture<List<QueuedMessage>> inStoreOnly = persistent && spilled && !shared.isEmpty()
                ? ctx.stores().messages().loadWaiting(clientId, 0, idsOf(unsent), (int)
                        Math.min(waiting + offersInTransit.get(), Integer.MAX_VALUE / 2))
                : null;
        // The offer race: a message the router picked one of these subscriptions for just before the tree lost them
        // may still be on its way here. Such a message goes on from deliver (ended), so the read must not hand
        // it on as well. It is left out by id, with the ids on their way taken AFTER the read was asked for: a message
        // the read can see had its store write called before the read, so its expectOffer (called before that write)
        // came before this snapshot, and its offer is delivered after this task; a message whose expectOffer comes
        // later had its write called after the read, which does not see it. So each goes on exactly once.
        Set<Long> onTheirWay = inStoreOnly == null ? Set.of() : Set.copyOf(sharedInTransit.keySet());
        if (offersInTransit.get() == 0) {
            ended.clear(); // nothing is on its way through the subscriptions a former clear ended
        }
        // The plain ones too: a message matched through one of them just before the tree lost it may still be on its
        // way here, and must not reach the session that takes this one's place [MQTT-3.1.2-4].
        ended.addAll(subscriptions.values());
        endedAtNanos = System.nanoTime();
        subscriptions.clear();
        inflight.clear();
        awaitingResend.clear();
        setWaiting(0);
        queue.clear();
        spilled = false;
        pagedThrough = 0;
        loading = false;
        loadGeneration++;
        retainedBacklog.clear();
        incomingQos2.clear();
        if (persistent) {
            ctx.stores().sessions().deleteSession(clientId);
        }
        List<RoutedMessage> heldHere = new ArrayList<>(unsent.size());
        for (OutgoingMessage m : unsent) {
            heldHere.add(m.routed());
        }
        redistributeShared(heldHere, shared);
        if (inStoreOnly != null) {
            inStoreOnly.whenComplete((stored, failure) -> execute(() -> {
                if (failure != null) {
                    LOG.warning(() ->
                            "cannot hand on the stored queue of " + clientId + " to its shared groups: " + failure);
                    return;
                }
                List<RoutedMessage> messages = new ArrayList<>(stored.size());
                for (QueuedMessage q : stored) {
                    if (!onTheirWay.contains(q.messageId())) {
                        messages.add(outgoing(q).routed());
                    }
                }
                redistributeInSlices(messages, 0, shared);
            }));
        }
    }

    private List<Subscription> sharedSubscriptions() {
        List<Subscription> shared = new ArrayList<>();
        for (Subscription s : subscriptions.values()) {
            if (s.shareGroup() != null) {
                shared.add(s);
            }
        }
        return shared;
    }

    private static Set<Long> idsOf(List<OutgoingMessage> messages) {
        Set<Long> ids = new HashSet<>();
        for (OutgoingMessage m : messages) {
            ids.add(m.routed().messageId());
        }
        return ids;
    }

    /** Hands on a long stored queue a slice per task, so that the event loop serves other sessions in between. */
    private void redistributeInSlices(List<RoutedMessage> messages, int from, List<Subscription> shared) {
        int to = Math.min(messages.size(), from + readAhead());
        redistributeShared(messages.subList(from, to), shared);
        if (to < messages.size()) {
            execute(() -> redistributeInSlices(messages, to, shared));
        }
    }

    /** Messages of shared subscriptions that this session will never get go to another member of their group. */
    private void redistributeShared(List<RoutedMessage> unsent, List<Subscription> shared) {
        if (shared.isEmpty()) {
            return;
        }
        for (RoutedMessage m : unsent) {
            for (Subscription s : shared) {
                if (io.mqttra.broker.routing.Topics.matches(
                        s.filter(), m.message().topic())) {
                    SubscriptionTree.SharedGroup group = ctx.tree().sharedGroup(s.filter(), s.shareGroup());
                    if (group != null && ctx.router().redistribute(group, m, clientId)) {
                        break;
                    }
                }
            }
        }
    }

    private void publishWill(ApplicationMessage w) {
        LOG.fine(() -> "publishing will of " + clientId + " on " + w.topic());
        ctx.router().route(w, clientId);
    }

    private void cancelExpiry() {
        if (expiryTimer != null) {
            expiryTimer.cancel(false);
            expiryTimer = null;
        }
    }

    // ---------------------------------------------------------------- subscriptions

    /** Adds or replaces a subscription; returns true if one existed on that filter [MQTT-3.8.4-3]. */
    public boolean subscribe(Subscription s) {
        boolean existed = subscriptions.put(s.fullFilter(), s) != null;
        ctx.tree().add(s);
        if (persistent) {
            storeWrites = ctx.stores().sessions().saveSubscription(clientId, toStored(s));
        }
        return existed;
    }

    /**
     * The last store write made by {@link #subscribe} since the previous call, or null. Writes complete in
     * call order (store contract), so the last one covers all.
     */
    public java.util.concurrent.CompletableFuture<Void> takeStoreWrites() {
        var w = storeWrites;
        storeWrites = null;
        return w;
    }

    private java.util.concurrent.CompletableFuture<Void> storeWrites;

    /** Removes the subscription on a filter as the client wrote it; returns true if it existed. */
    public boolean unsubscribe(String fullFilter) {
        Subscription s = subscriptions.remove(fullFilter);
        if (s == null) {
            return false;
        }
        ctx.tree().remove(clientId, s.filter(), s.shareGroup());
        if (persistent) {
            ctx.stores().sessions().deleteSubscription(clientId, fullFilter);
        }
        return true;
    }

    // ---------------------------------------------------------------- outgoing messages

    /**
     * QoS 1/2 messages routed to this session that are not yet in flight: on their way to its executor, or in
     * its queue. Counted on the routing thread, before the hand-over, so that a publisher sees the backlog at
     * once; the queue itself is only visible from the session's executor, which may lag behind by any number
     * of tasks.
     */
    private final AtomicInteger backlog = new AtomicInteger();

    /**
     * Set while connected and the backlog is above half the queue limit; completed when it is back to a quarter, or
     * after {@link #MAX_HOLD_MILLIS} if it is not by then. A completed future stays set until the backlog is down
     * to a quarter: publishers then no longer wait for this session, and its queue limit and drop policy apply.
     */
    private final AtomicReference<CompletableFuture<Void>> drained = new AtomicReference<>();

    /**
     * The longest a congested session holds its publishers back (network publishers' acknowledgements, internal
     * publishes). A subscriber that does not drain by then is treated as stuck, so that one client that stops
     * acknowledging cannot stall every publisher of its topics; and the adapter's publish timeouts (10 s and more)
     * never expire on a message that is routed later after all.
     */
    public static final long MAX_HOLD_MILLIS = 5_000;

    @Override
    public CompletableFuture<Void> congestion() {
        CompletableFuture<Void> d = drained.get();
        if (d != null || !connected || backlog.get() <= ctx.config().maxQueuedMessages() / 2) {
            return d;
        }
        CompletableFuture<Void> created = new CompletableFuture<>();
        if (!drained.compareAndSet(null, created)) {
            return drained.get();
        }
        // The executor may have drained the backlog just before the future existed: look again from there.
        execute(this::checkCongestion);
        executor.target().schedule(() -> created.complete(null), MAX_HOLD_MILLIS, TimeUnit.MILLISECONDS);
        return created;
    }

    /**
     * A set congestion signal means no room even once completed: a member stuck longer than the hold holds nobody
     * back any more, but a shared subscription should still route around it.
     */
    @Override
    public boolean hasRoom() {
        return connected
                && drained.get() == null
                && backlog.get() <= ctx.config().maxQueuedMessages() / 2;
    }

    @Override
    public int backlog() {
        return backlog.get();
    }

    /** Completes the congestion future once the backlog is down to a quarter of the limit, or nobody reads it. */
    private void checkCongestion() {
        CompletableFuture<Void> d = drained.get();
        if (d != null
                && (connection == null
                        || destroyed
                        || backlog.get() <= ctx.config().maxQueuedMessages() / 4)
                && drained.compareAndSet(d, null)) {
            // Offline sessions never hold publishers back: their queue limit and drop policy apply.
            d.complete(null);
        }
    }

    @Override
    public void expectOffer(long messageId, Subscription via) {
        offersInTransit.incrementAndGet();
        if (via != null && via.shareGroup() != null) {
            sharedInTransit.merge(messageId, 1, Integer::sum);
        }
    }

    @Override
    public void offer(RoutedMessage message) {
        offer(message, null);
    }

    @Override
    public void offer(RoutedMessage message, Subscription via) {
        if (message.qos() > 0) {
            backlog.incrementAndGet();
        }
        execute(() -> deliver(message, via));
    }

    @Override
    public void offerRetained(List<RoutedMessage> messages) {
        execute(() -> {
            if (!destroyed) {
                retainedBacklog.addAll(messages);
                sendQueued();
            }
        });
    }

    /** The network takes bytes again: QoS 0 messages of the retained backlog may go on. */
    public void writable() {
        execute(this::sendQueued);
    }

    private void deliver(RoutedMessage m, Subscription via) {
        boolean lastInTransit = offersInTransit.decrementAndGet() == 0;
        if (via != null) {
            boolean shared = via.shareGroup() != null;
            if (shared) {
                sharedInTransit.computeIfPresent(m.messageId(), (id, n) -> n == 1 ? null : n - 1);
            }
            if (!ended.isEmpty() && ended.contains(via)) {
                if (shared) {
                    handOnLate(m, via);
                } else {
                    discardLate(m);
                }
                forgetEndedWhenNoneOnTheirWay(lastInTransit);
                return;
            }
        }
        forgetEndedWhenNoneOnTheirWay(lastInTransit);
        OutgoingMessage om = new OutgoingMessage(m, persistent && m.qos() > 0);
        if (destroyed) {
            if (m.qos() > 0) {
                backlog.decrementAndGet();
            }
            discard(om);
            return;
        }
        if (m.qos() == 0) {
            // QoS 0 is not queued for offline sessions (MQTT 5 section 4.1 lets the server decide).
            if (connection != null && !connection.isClosing()) {
                if (!retainedBacklog.isEmpty()) {
                    // Behind the retained messages still to go: a topic's retained message must not arrive after
                    // a newer one. Bounded like the queue.
                    if (!retainedBacklog.addLive(m, ctx.config().maxQueuedMessages())) {
                        dropped++;
                        ctx.metrics().messageDropped();
                    }
                    return;
                }
                om.packetId(0);
                send(om, false);
            }
            return;
        }
        if (connection != null
                && !connection.isClosing()
                && !spilled
                && queue.isEmpty()
                && retainedBacklog.isEmpty()
                && inflight.size() < window()) {
            backlog.decrementAndGet();
            sendNew(om);
        } else if (!persistent && connection == null) {
            backlog.decrementAndGet();
            discard(om);
        } else if (waiting >= ctx.config().maxQueuedMessages() && dropsWhenFull()) {
            // Drop policy: the newest message is dropped when the queue is full, keeping the order of the rest.
            backlog.decrementAndGet();
            dropped++;
            ctx.metrics().messageDropped();
            LOG.fine(() -> "queue of " + clientId + " full, dropping message on "
                    + m.message().topic());
            discard(om);
        } else {
            // Still in the backlog: it moves from on its way to waiting.
            waiting++;
            if (om.stored() && (spilled || connection == null || queue.size() >= readAhead())) {
                // The store holds it; it comes back to the heap when it is next in line (bounded memory).
                spilled = true;
                leftInStoreWhileLoading |= loading;
                pageInIfRoom();
            } else {
                queue.add(om);
            }
        }
    }

    /**
     * A message picked for a shared subscription that ended before the message got here goes to another member of
     * the group, like the queue the session handed on when it ended (see {@link #clearState}).
     */
    private void handOnLate(RoutedMessage m, Subscription shared) {
        if (m.qos() > 0) {
            backlog.decrementAndGet();
            // Its store write may have come after the delete of the ended session, even after a new session of this
            // client was saved; the entry is not the new session's. A no-op when there is none.
            ctx.stores().messages().remove(clientId, m.messageId());
        }
        redistributeShared(List.of(m), List.of(shared));
    }

    /**
     * Forgets the ended subscriptions once nothing is on its way here and the last clear is long past: a router that
     * matched one of them before the clear took it from the tree holds it only while it routes, microseconds. Without
     * this, a client that keeps starting clean while messages flow would grow the set with every connection.
     */
    private void forgetEndedWhenNoneOnTheirWay(boolean noneInTransit) {
        if (noneInTransit && !ended.isEmpty() && System.nanoTime() - endedAtNanos > ENDED_GRACE_NANOS) {
            ended.clear();
        }
    }

    /**
     * A message matched through a plain subscription of a session that a Clean Start (or the session's end) discarded
     * before the message got here: neither the old connection, closed, nor the new session, which did not subscribe,
     * gets it [MQTT-3.1.2-4].
     */
    private void discardLate(RoutedMessage m) {
        if (m.qos() > 0) {
            backlog.decrementAndGet();
            // As in handOnLate: its store write may have come after the delete of the discarded session, even after the
            // new session was saved; the entry is not the new session's. A no-op when there is none.
            ctx.stores().messages().remove(clientId, m.messageId());
        }
    }

    /** Sets the waiting count, keeping the backlog (waiting plus on its way) in step. */
    private void setWaiting(long n) {
        backlog.addAndGet((int) (n - waiting));
        waiting = n;
    }

    /** Messages of a persistent session held on the heap ahead of sending; the rest wait in the store. */
    private int readAhead() {
        return Math.max(256, 2 * ctx.config().maxInflight());
    }

    /** Offline, a persistent session's waiting messages live in the store only. */
    private void releaseQueue() {
        if (!persistent) {
            return;
        }
        int held = queue.size();
        queue.removeIf(OutgoingMessage::stored);
        if (queue.size() < held) {
            spilled = true;
        }
        pagedThrough = 0; // what was released lies before it
        loading = false;
        loadGeneration++;
    }

    private void pageInIfRoom() {
        if (spilled && !loading && connection != null && queue.size() <= readAhead() / 2) {
            loading = true;
            leftInStoreWhileLoading = false;
            sentPastQueue.clear();
            int generation = ++loadGeneration;
            Set<Long> held = new HashSet<>();
            for (OutgoingMessage om : queue) {
                held.add(om.routed().messageId());
            }
            int max = readAhead() - queue.size();
            ctx.stores()
                    .messages()
                    .loadWaiting(clientId, pagedThrough, held, max)
                    .whenComplete((page, failure) -> execute(() -> pagedIn(generation, page, failure, max)));
        }
    }

    private void pagedIn(int generation, List<QueuedMessage> page, Throwable failure, int asked) {
        if (generation != loadGeneration || destroyed) {
            return;
        }
        loading = false;
        if (failure != null) {
            // Stays spilled: the next acknowledgement or reconnect tries again.
            LOG.warning(() -> "cannot load the queue of " + clientId + " from the store: " + failure);
            return;
        }
        for (QueuedMessage q : page) {
            if (!sentPastQueue.contains(q.messageId())) {
                queue.add(outgoing(q));
            }
            pagedThrough = Math.max(pagedThrough, q.position());
        }
        sentPastQueue.clear(); // the next page is read after they were marked in flight
        // Done when the store had no more, nothing was left to it meanwhile, and no message the page may hold is
        // still on its way here as an offer (its offer would queue it a second time).
        if (page.size() < asked && !leftInStoreWhileLoading && offersInTransit.get() == 0) {
            spilled = false;
            setWaiting(queue.size());
        }
        sendQueued();
    }

    /**
     * A stored entry as a delivery: arrival time on this JVM's clock, so its expiry counts from its arrival
     * [MQTT-3.3.2-6], and the delivery attempts begun so far.
     */
    private static OutgoingMessage outgoing(QueuedMessage q) {
        long waitedNanos = Math.max(0, System.currentTimeMillis() - q.receivedAtMillis()) * 1_000_000L;
        OutgoingMessage om = new OutgoingMessage(
                new RoutedMessage(
                        q.message(),
                        q.messageId(),
                        q.qos(),
                        q.retain(),
                        q.subscriptionIdentifiers(),
                        System.nanoTime() - waitedNanos),
                true);
        om.deliveryCount(q.deliveryCount());
        return om;
    }

    /**
     * A network client's queue is bounded by the drop policy. A local subscriber (a message-driven bean) is never
     * dropped from while attached: the congestion signal holds the publishers back instead, so its queue may
     * overshoot the limit by at most the publishers' Receive Maximum windows.
     */
    private boolean dropsWhenFull() {
        return connection == null || !connection.isLocal();
    }

    private void sendNew(OutgoingMessage om) {
        if (om.routed().isExpired(System.nanoTime())) {
            dropped++;
            ctx.metrics().messageDropped();
            discard(om);
            return;
        }
        int id = nextPacketId();
        om.packetId(id);
        inflight.put(id, om);
        if (om.stored()) {
            ctx.stores().messages().markInFlight(clientId, om.routed().messageId(), id);
        }
        if (!send(om, false)) {
            inflight.remove(id);
            discard(om);
        }
    }

    private boolean send(OutgoingMessage om, boolean dup) {
        boolean sent = connection.sendPublish(om, dup);
        wrote = true;
        if (sent) {
            ctx.metrics().messageOut(om.routed().qos(), om.routed().message().payload().length);
        } else {
            ctx.metrics().messageDropped();
        }
        return sent;
    }

    /**
     * On a new connection: the PUBRELs of released QoS 2 messages at once, the PUBLISHes still unacknowledged in their
     * order [MQTT-4.4.0-1], as far as the new connection's Receive Maximum allows [MQTT-3.3.4-9].
     */
    private void resendInflight() {
        awaitingResend.clear();
        for (OutgoingMessage om : inflight.values()) {
            if (om.released()) {
                connection.sendPubRel(om.packetId());
            } else {
                awaitingResend.add(om);
            }
        }
        resendAwaiting();
    }

    /** In-flight messages of an earlier connection not yet sent again on this one; they count in {@link #inflight}. */
    private final ArrayDeque<OutgoingMessage> awaitingResend = new ArrayDeque<>();

    private void resendAwaiting() {
        while (!awaitingResend.isEmpty()
                && connection != null
                && !connection.isClosing()
                && inflight.size() - awaitingResend.size() < window()) {
            OutgoingMessage om = awaitingResend.poll();
            if (inflight.get(om.packetId()) != om || om.released()) {
                continue; // acknowledged meanwhile (the client had it from the earlier connection)
            }
            if (!send(om, true)) {
                inflight.remove(om.packetId());
                discard(om);
            }
        }
    }

    private void sendQueued() {
        resendAwaiting(); // before anything new: a client sees its messages in order [MQTT-4.6.0-1]
        // The retained messages of a new subscription go before what was published after it.
        retainedBacklog.drain(this);
        while (connection != null
                && !connection.isClosing()
                && retainedBacklog.isEmpty()
                && !queue.isEmpty()
                && inflight.size() < window()) {
            backlog.decrementAndGet();
            waiting--;
            sendNew(queue.poll());
        }
        pageInIfRoom();
        checkCongestion();
    }

    /** Room for one more message of this QoS now: in the window for QoS 1/2, in the socket for QoS 0. */
    boolean canSend(int qos) {
        if (connection == null || connection.isClosing()) {
            return false;
        }
        return qos == 0 ? connection.isWritable() : inflight.size() < window();
    }

    /** One message from the retained backlog; {@link #canSend} said there is room. */
    void sendFromBacklog(RoutedMessage m) {
        boolean stored = persistent && m.qos() > 0;
        if (stored) {
            ctx.stores()
                    .messages()
                    .enqueue(m.messageId(), m.message(), List.of(RetainedBacklog.reference(clientId, m)));
            if (loading) {
                // The page on its way may have read it before it was marked in flight: not to be sent twice.
                sentPastQueue.add(m.messageId());
            }
        }
        OutgoingMessage om = new OutgoingMessage(m, stored);
        if (m.qos() == 0) {
            if (!m.isExpired(System.nanoTime())) {
                send(om, false);
            }
        } else {
            sendNew(om);
        }
    }

    private int window() {
        return Math.min(connection.receiveMaximum(), ctx.config().maxInflight());
    }

    /** Completes once the session's reference is durably gone (at once when there is none). */
    private CompletableFuture<Void> discard(OutgoingMessage om) {
        if (om.stored()) {
            return ctx.stores().messages().remove(clientId, om.routed().messageId());
        }
        return CompletableFuture.completedFuture(null);
    }

    private int nextPacketId() {
        // Inflight is bounded by the window (at most 65535), so a free id always exists.
        do {
            lastPacketId = lastPacketId == 0xFFFF ? 1 : lastPacketId + 1;
        } while (inflight.containsKey(lastPacketId));
        return lastPacketId;
    }

    /** PUBACK for a QoS 1 delivery; returns false if no QoS 1 message is in flight with that id. */
    public boolean onPubAck(int packetId) {
        OutgoingMessage om = inflight.get(packetId);
        if (om == null || om.routed().qos() != 1) {
            return false;
        }
        inflight.remove(packetId);
        discard(om);
        sendQueued();
        return true;
    }

    /**
     * PUBREC for a QoS 2 delivery. Returns false if no QoS 2 message is in flight with that id. A failure reason
     * code (MQTT 5, &gt;= 0x80) ends the flow; otherwise the broker answers with PUBREL [MQTT-4.3.3-4].
     */
    public boolean onPubRec(int packetId, int reasonCode) {
        OutgoingMessage om = inflight.get(packetId);
        if (om == null || om.routed().qos() != 2) {
            return false;
        }
        if (reasonCode >= 0x80) {
            inflight.remove(packetId);
            discard(om);
            sendQueued();
            return true;
        }
        if (!om.released()) {
            om.release();
            if (om.stored()) {
                ctx.stores().messages().markReleased(clientId, om.routed().messageId());
            }
        }
        connection.sendPubRel(packetId);
        wrote = true;
        return true;
    }

    /** PUBCOMP for a QoS 2 delivery; returns false if no released QoS 2 message has that id. */
    public boolean onPubComp(int packetId) {
        OutgoingMessage om = inflight.get(packetId);
        if (om == null || !om.released()) {
            return false;
        }
        inflight.remove(packetId);
        discard(om);
        sendQueued();
        return true;
    }

    /**
     * A local subscriber acknowledged a QoS 1 or 2 delivery: the whole flow completes at once. The future completes
     * once the removal from the store is durable.
     */
    CompletableFuture<Void> onLocalAck(int packetId, OutgoingMessage expected) {
        if (inflight.get(packetId) != expected) {
            return CompletableFuture.completedFuture(null);
        }
        inflight.remove(packetId);
        CompletableFuture<Void> removed = discard(expected);
        sendQueued();
        return removed;
    }

    // ---------------------------------------------------------------- incoming QoS 2

    /**
     * A QoS 2 PUBLISH arrived with this packet id. Returns true the first time; false while the id awaits its
     * PUBREL, in which case the message must not be routed again [MQTT-4.3.3-9].
     */
    public boolean beginIncomingQos2(int packetId) {
        // The durable record is written by the router together with the message (ExactlyOnceEnqueue).
        return incomingQos2.add(packetId);
    }

    /** PUBREL: the id is released. Returns false if it was not awaiting release. */
    public boolean releaseIncomingQos2(int packetId) {
        boolean known = incomingQos2.remove(packetId);
        if (known && persistent) {
            ctx.stores().sessions().releaseIncomingQos2(clientId, packetId);
        }
        return known;
    }

    public int incomingQos2Count() {
        return incomingQos2.size();
    }

    // ---------------------------------------------------------------- restore from store

    /**
     * Rebuilds a session from the store at start-up (its connection is gone: it waits for the client). A stored will
     * is kept for {@link #publishRestoredWill()}, which the broker calls once every session is back, so that the will
     * reaches the subscriptions of sessions restored after this one.
     */
    public CompletableFuture<Void> restore(StoredSession stored, List<QueuedMessage> inFlight, long waitingInStore) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        execute(() -> {
            fresh = false;
            persistent = true;
            protocolLevel = stored.protocolLevel();
            expirySeconds = stored.expiryIntervalSeconds();
            incomingQos2.addAll(stored.incomingQos2());
            for (StoredSubscription ss : stored.subscriptions()) {
                SharedFilter shared = SharedFilter.parse(ss.filter());
                Subscription s = new Subscription(
                        this,
                        shared == null ? ss.filter() : shared.filter(),
                        shared == null ? null : shared.group(),
                        ss.qos(),
                        ss.noLocal(),
                        ss.retainAsPublished(),
                        ss.retainHandling(),
                        ss.subscriptionIdentifier());
                subscriptions.put(ss.filter(), s);
                ctx.tree().add(s);
            }
            for (QueuedMessage q : inFlight) {
                OutgoingMessage om = outgoing(q);
                om.packetId(q.packetId());
                if (q.released()) {
                    om.release();
                }
                inflight.put(q.packetId(), om);
            }
            // The waiting messages stay in the store until the client is back (bounded memory at start-up).
            setWaiting(waitingInStore);
            spilled = waitingInStore > 0;
            restoredWill = stored.will();
            disconnectedAt =
                    stored.disconnectedAtMillis() != null ? stored.disconnectedAtMillis() : System.currentTimeMillis();
            if (expirySeconds != ConnectRequest.NEVER_EXPIRES) {
                // The interval runs from the disconnect, not from this start [MQTT-3.1.2-23].
                long left = expirySeconds * 1000L - Math.max(0, System.currentTimeMillis() - disconnectedAt);
                expiryTimer = executor.target()
                        .schedule(() -> execute(this::expire), Math.max(0, left), TimeUnit.MILLISECONDS);
            }
            done.complete(null);
        });
        return done;
    }

    /** The will stored with the session, not yet published; set by {@link #restore} only. */
    private ApplicationMessage restoredWill;
    /** When the restored session lost its connection (epoch ms); set by {@link #restore} only. */
    private long disconnectedAt;

    /**
     * Publishes the will of the connection that the broker's end (a crash or a stop) closed without a DISCONNECT
     * [MQTT-3.1.2-8], and removes it from the store in the same breath: a second restart before the client returns
     * must not publish it again.
     */
    public void publishRestoredWill() {
        execute(() -> {
            ApplicationMessage w = restoredWill;
            restoredWill = null;
            if (w != null && !destroyed) {
                publishWill(w);
                ctx.stores().sessions().saveSession(toStored());
                // Saving marks it connected in the store; it is not, and its expiry still runs from then.
                ctx.stores().sessions().sessionDisconnected(clientId, disconnectedAt);
            }
        });
    }

    // ---------------------------------------------------------------- helpers

    public int protocolLevel() {
        return protocolLevel;
    }

    public BrokerContext context() {
        return ctx;
    }

    /** Number of messages waiting (not in flight), on the heap or in the store; for tests and the console. */
    public int queuedCount() {
        return (int) Math.min(Integer.MAX_VALUE, waiting);
    }

    /** Messages for this session dropped because its queue was full or they expired while waiting. */
    public long droppedCount() {
        return dropped;
    }

    public int inflightCount() {
        return inflight.size();
    }

    /** The attached connection, or null; for the admin view, from a task of this session. */
    public Connection connection() {
        return connection;
    }

    /** Session expiry interval in seconds; for the admin view, from a task of this session. */
    public long expirySeconds() {
        return expirySeconds;
    }

    /** A copy of the subscriptions; for the admin view, from a task of this session. */
    public List<Subscription> subscriptions() {
        return new ArrayList<>(subscriptions.values());
    }

    private void flushIfWritten() {
        // The connection knows whether anything was written since its last flush (acks written by the
        // protocol side count too); this is the one flush per batch.
        wrote = false;
        if (connection != null) {
            connection.flush();
        }
    }

    private StoredSession toStored() {
        return new StoredSession(clientId, protocolLevel, expirySeconds, will, willDelaySeconds, null, null);
    }

    private static StoredSubscription toStored(Subscription s) {
        return new StoredSubscription(
                s.fullFilter(),
                s.qos(),
                s.noLocal(),
                s.retainAsPublished(),
                s.retainHandling(),
                s.subscriptionIdentifier());
    }
}
