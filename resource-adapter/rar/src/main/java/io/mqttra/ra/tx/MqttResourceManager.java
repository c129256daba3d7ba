package io.mqttra.ra.tx;

import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.store.Acknowledgement;
import io.mqttra.broker.store.PreparedTransaction;
import io.mqttra.broker.store.TransactionId;
import io.mqttra.broker.store.TransactionStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * The broker as an XA resource manager: one per resource adapter, shared by every {@link MqttXAResource} (outbound
 * connections and inbound deliveries). Branches are kept by Xid here, not in the XAResource objects, because the
 * transaction manager may join branches of resources that are the same RM ({@code isSameRM}) and then completes
 * them through any one of them.
 *
 * <ul>
 *   <li>prepare: the branch's messages are written to the {@link TransactionStore}, keyed by Xid, before XA_OK.</li>
 *   <li>commit: the messages are routed, then the record is deleted. Exactly once: each message leaves the
 *       record in the same durable write as its routed copies, so a commit replayed after a crash routes only
 *       what was not routed yet.</li>
 *   <li>one-phase commit: a branch with one write to do (one message, or only acknowledgements) does it without a
 *       record. A branch with more (it takes a message and publishes, as a message-driven bean that answers does,
 *       or publishes several) first writes its record already committed ({@link TransactionStore#commitOnePhase}):
 *       that write is the commit, all or nothing, and a crash after it routes the rest at the next start.</li>
 *   <li>rollback: the messages are discarded.</li>
 *   <li>recover: every prepared Xid, including those found in the store at start.</li>
 * </ul>
 *
 * <p>A transacted delivery's branch also records which queued message it takes ({@link Acknowledgement}). After a
 * crash the broker delivers that message again while its branch may still be in doubt; {@link #acknowledgementState}
 * tells the inbound side to hold it until recovery decides, and to acknowledge it without delivery when the branch
 * committed, so the bean's work is done once.
 */
public final class MqttResourceManager {

    private static final Logger LOG = Logger.getLogger(MqttResourceManager.class.getName());
    private static final long SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * How long a committed branch's acknowledgements stay in the store: far longer than the broker takes to make
     * the removal of the taken message durable (one group commit).
     */
    private static final long COMMITTED_GRACE_MILLIS = 60_000;

    private static final long PURGE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final TransactionStore store;
    private final MessageSink sink;
    private final long storeTimeoutMillis;
    private final ConcurrentHashMap<TransactionId, TransactionBranch> branches = new ConcurrentHashMap<>();
    // Acknowledgements of branches found prepared at start, until recovery decides; and those of branches that
    // committed (before the restart or in recovery), until the message comes back: the bean must not get it again.
    private final ConcurrentHashMap<Acknowledgement, TransactionId> inDoubt = new ConcurrentHashMap<>();
    private final Set<Acknowledgement> alreadyTaken = ConcurrentHashMap.newKeySet();

    /** What the inbound side must do with a message delivered again after a restart. */
    public enum AcknowledgementState {
        /** Not part of a prepared branch: deliver it. */
        NONE,
        /** Its branch is prepared and waits for the transaction manager's recovery: hold it. */
        IN_DOUBT,
        /** Its branch committed (before the restart, or in recovery): acknowledge it without delivering it again. */
        COMMITTED
    }

    private final AtomicLong lastSweep = new AtomicLong(System.nanoTime());
    private final AtomicLong lastPurge = new AtomicLong(System.nanoTime());

    /**
     * @param store              where prepared branches are made durable
     * @param sink               routes committed messages
     * @param storeTimeoutMillis how long prepare and commit wait for the store and the router
     */
    public MqttResourceManager(TransactionStore store, MessageSink sink, long storeTimeoutMillis) {
        this.store = Objects.requireNonNull(store, "store");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.storeTimeoutMillis = storeTimeoutMillis;
    }

    /**
     * Loads the branches that were prepared before the last stop or crash, so that recovery can find them.
     *
     * @return how many there were
     */
    public int loadPrepared() {
        List<PreparedTransaction> prepared = store.loadPrepared();
        for (PreparedTransaction p : prepared) {
            branches.putIfAbsent(
                    p.xid(), TransactionBranch.recovered(p.xid(), p.messages(), p.messageSeqs(), p.acknowledgements()));
            p.acknowledgements().forEach(a -> inDoubt.put(a, p.xid()));
        }
        List<Acknowledgement> committed = store.loadCommittedAcknowledgements();
        alreadyTaken.addAll(committed);
        if (!committed.isEmpty()) {
            LOG.info(() -> committed.size() + " message(s) taken by transactions that committed just before the last"
                    + " stop will be acknowledged without being delivered again");
        }
        if (!prepared.isEmpty()) {
            LOG.info(() ->
                    prepared.size() + " prepared MQTT transaction(s) wait for the transaction manager's recovery: "
                            + prepared.stream().map(p -> p.xid().key()).toList());
        }
        store.loadUnrouted().forEach(this::finishRouting);
        return prepared.size();
    }

    /** A branch committed in one phase before a crash, whose routing the crash interrupted: routes the rest. */
    private void finishRouting(PreparedTransaction committed) {
        TransactionBranch b =
                TransactionBranch.recovered(committed.xid(), committed.messages(), committed.messageSeqs(), List.of());
        LOG.info(() -> "MQTT transaction " + b.xid().key() + " committed before the last stop: routing its "
                + committed.messages().size() + " message(s) not routed yet");
        b.route(sink).whenComplete((v, e) -> {
            if (e != null) {
                LOG.log(
                        Level.WARNING,
                        "Could not route the committed messages of MQTT transaction "
                                + b.xid().key() + " (tried again at the next start)",
                        e);
            }
        });
    }

    /** A new XAResource of this resource manager; {@code listener} (may be null) is told how each branch ends. */
    public MqttXAResource newXAResource(BranchListener listener) {
        return new MqttXAResource(this, listener, null);
    }

    /**
     * A new XAResource for one transacted delivery: each branch started on it takes the queued message
     * {@code acknowledgement} (null when the message has no stable id, e.g. QoS 0).
     */
    public MqttXAResource newXAResource(BranchListener listener, Acknowledgement acknowledgement) {
        return new MqttXAResource(this, listener, acknowledgement);
    }

    /** See {@link AcknowledgementState}. */
    public AcknowledgementState acknowledgementState(Acknowledgement acknowledgement) {
        if (inDoubt.containsKey(acknowledgement)) {
            return AcknowledgementState.IN_DOUBT;
        }
        return alreadyTaken.contains(acknowledgement) ? AcknowledgementState.COMMITTED : AcknowledgementState.NONE;
    }

    /** The inbound side acknowledged a message whose branch committed during recovery. */
    public void acknowledged(Acknowledgement acknowledgement) {
        alreadyTaken.remove(acknowledgement);
    }

    /** Branches neither committed nor rolled back yet (a gauge, and for tests). */
    public int openBranches() {
        return branches.size();
    }

    // ---- called by MqttXAResource ----

    TransactionBranch start(Xid xid, int flags, long timeoutSeconds) throws XAException {
        TransactionId id = TransactionId.of(xid);
        if ((flags & XAResource.TMJOIN) != 0) {
            TransactionBranch b = existing(id);
            if (!b.join()) {
                throw error(XAException.XAER_PROTO, "cannot join " + b);
            }
            return b;
        }
        if ((flags & XAResource.TMRESUME) != 0) {
            TransactionBranch b = existing(id);
            if (!b.resume()) {
                throw error(XAException.XAER_PROTO, "cannot resume " + b);
            }
            return b;
        }
        if (flags != XAResource.TMNOFLAGS) {
            throw error(XAException.XAER_INVAL, "start with flags " + flags);
        }
        sweepExpired();
        TransactionBranch created = new TransactionBranch(id, timeoutSeconds);
        if (branches.putIfAbsent(id, created) != null) {
            throw error(XAException.XAER_DUPID, "branch " + id + " already exists");
        }
        return created;
    }

    void end(Xid xid, int flags) throws XAException {
        TransactionBranch b = existing(TransactionId.of(xid));
        boolean ok;
        if ((flags & XAResource.TMSUSPEND) != 0) {
            ok = b.suspend();
        } else if ((flags & XAResource.TMFAIL) != 0) {
            b.markRollbackOnly();
            ok = true;
        } else {
            ok = b.end();
        }
        if (!ok) {
            throw error(XAException.XAER_PROTO, "cannot end " + b + " with flags " + flags);
        }
    }

    int prepare(Xid xid) throws XAException {
        TransactionBranch b = existing(TransactionId.of(xid));
        switch (b.state()) {
            case IDLE -> {}
            case ROLLBACK_ONLY -> {
                discard(b, "it was marked rollback-only");
                throw error(XAException.XA_RBROLLBACK, "branch " + b.xid() + " was marked rollback-only");
            }
            default -> throw error(XAException.XAER_PROTO, "cannot prepare " + b);
        }
        if (b.isReadOnly()) {
            // Nothing to publish, nobody to tell: the transaction manager will not call commit for this branch.
            b.completed();
            branches.remove(b.xid(), b);
            return XAResource.XA_RDONLY;
        }
        List<ApplicationMessage> messages = b.messages();
        List<Acknowledgement> acknowledgements = b.acknowledgements();
        if (!messages.isEmpty() || !acknowledgements.isEmpty()) {
            try {
                await(store.prepare(b.xid(), messages, acknowledgements), "prepare " + b.xid());
            } catch (XAException e) {
                discard(b, "its messages could not be stored");
                throw error(
                        XAException.XA_RBOTHER,
                        "could not store the messages of " + b.xid() + ": " + e.getMessage(),
                        e.getCause());
            }
        }
        b.prepared();
        LOG.fine(() -> "Prepared " + b);
        return XAResource.XA_OK;
    }

    void commit(Xid xid, boolean onePhase) throws XAException {
        TransactionBranch b = existing(TransactionId.of(xid));
        TransactionBranch.State state = b.state();
        boolean recorded = false;
        if (onePhase) {
            if (state == TransactionBranch.State.ROLLBACK_ONLY) {
                discard(b, "it was marked rollback-only");
                throw error(XAException.XA_RBROLLBACK, "branch " + b.xid() + " was marked rollback-only");
            }
            if (state != TransactionBranch.State.IDLE) {
                throw error(XAException.XAER_PROTO, "cannot commit in one phase " + b);
            }
            recorded = commitOnePhase(b);
        } else {
            if (state != TransactionBranch.State.PREPARED) {
                throw error(XAException.XAER_PROTO, "cannot commit " + b + ": not prepared");
            }
            commitPrepared(b);
        }
        b.completed();
        branches.remove(b.xid(), b);
        if (onePhase) {
            for (BranchListener l : b.listeners()) {
                notify(l, true, b);
            }
            if (!recorded) {
                awaitSettled(b);
            }
        }
    }

    /**
     * One phase without a record (the branch only took messages): nothing says that the branch took its message,
     * so the commit returns only once the message's removal is durable. A crash before that leaves the message
     * queued and the commit unanswered, which is a rollback as far as this resource manager is concerned: the
     * message comes again and nothing else of the branch happened.
     */
    private void awaitSettled(TransactionBranch b) {
        for (BranchListener l : b.listeners()) {
            try {
                await(l.settled(), "make the acknowledgements of " + b.xid() + " durable");
            } catch (XAException e) {
                // Committed all the same: the message may come again after a crash (at least once).
                LOG.warning(() -> "MQTT transaction " + b.xid().key() + " committed, but its acknowledgement is not"
                        + " durable yet: " + e.getMessage());
            }
        }
    }

    /** @return whether the commit was recorded (then the record, not the listeners, keeps what was taken) */
    private boolean commitOnePhase(TransactionBranch b) throws XAException {
        List<ApplicationMessage> messages = b.messages();
        List<Acknowledgement> acknowledgements = b.acknowledgements();
        if (messages.size() > 1 || !messages.isEmpty() && !acknowledgements.isEmpty()) {
            commitOnePhaseRecorded(b, messages, acknowledgements);
            return true;
        }
        try {
            await(b.route(sink), "route the messages of " + b.xid());
        } catch (XAException | RuntimeException e) {
            boolean handedOver = b.routedCount() > 0;
            String reason = e.getMessage();
            discard(b, "routing failed: " + reason);
            if (!handedOver) {
                throw error(XAException.XA_RBOTHER, "could not route the messages of " + b.xid() + ": " + reason, e);
            }
            // The router took the message before its write failed: subscribers online may have it already.
            throw error(
                    XAException.XA_HEURMIX,
                    "the message of " + b.xid() + " was handed to the router before" + " routing failed: " + reason,
                    e);
        }
        LOG.fine(() -> "Committed (one phase) " + b);
        return false;
    }

    /**
     * Writes the branch's record already committed, then routes as for a prepared branch. Before that write
     * nothing happened (a failure rolls back); after it the branch is committed whatever comes: a routing failure
     * or a crash leaves the messages not routed yet in the record for the next start, and the taken messages are
     * kept from the bean by the committed acknowledgements.
     */
    private void commitOnePhaseRecorded(
            TransactionBranch b, List<ApplicationMessage> messages, List<Acknowledgement> acknowledgements)
            throws XAException {
        try {
            await(store.commitOnePhase(b.xid(), messages, acknowledgements), "record the commit of " + b.xid());
        } catch (XAException e) {
            discard(b, "its commit could not be recorded: " + e.getMessage());
            throw error(
                    XAException.XA_RBOTHER,
                    "could not record the commit of " + b.xid() + ": " + e.getMessage(),
                    e.getCause());
        }
        b.prepared(); // from here on, routing strikes each message out of the record
        CrashPoint.BEFORE_COMMIT.reached(b, messages);
        try {
            await(b.route(sink), "route the messages of " + b.xid());
        } catch (XAException | RuntimeException e) {
            LOG.severe(() -> "MQTT transaction " + b.xid().key() + " committed, but routing its messages failed; those"
                    + " not routed yet stay stored and are routed at the next start: " + e.getMessage());
        }
        CrashPoint.AFTER_ROUTING.reached(b, messages);
        LOG.fine(() -> "Committed (one phase, recorded) " + b);
    }

    private void commitPrepared(TransactionBranch b) throws XAException {
        CrashPoint.BEFORE_COMMIT.reached(b, b.messages());
        try {
            await(b.route(sink), "route the messages of " + b.xid());
            CrashPoint.AFTER_ROUTING.reached(b, b.messages());
            // Tell the delivery before the record goes: it acknowledges its message now, so that the record is
            // gone only after the acknowledgement was handed to the broker.
            for (BranchListener l : b.listeners()) {
                notify(l, true, b);
            }
            if (b.isRecovered()) {
                for (Acknowledgement a : b.acknowledgements()) {
                    alreadyTaken.add(a);
                    inDoubt.remove(a, b.xid());
                }
            }
            if (hasRecord(b)) {
                await(store.commit(b.xid()), "forget the committed " + b.xid());
            }
        } catch (XAException | RuntimeException e) {
            // Still prepared: the transaction manager retries the commit, which routes only what is not routed yet.
            LOG.warning(() ->
                    "Commit of MQTT transaction " + b.xid().key() + " failed, it stays prepared: " + e.getMessage());
            throw error(XAException.XAER_RMFAIL, "could not commit " + b.xid() + ": " + e.getMessage(), e);
        }
        if (b.isRecovered()) {
            LOG.info(() -> "Recovery committed MQTT transaction " + b.xid().key() + ": "
                    + b.messages().size() + " message(s) routed, "
                    + b.acknowledgements().size() + " delivery(ies) acknowledged");
        } else {
            LOG.fine(() -> "Committed " + b);
        }
    }

    void rollback(Xid xid) throws XAException {
        TransactionBranch b = existing(TransactionId.of(xid));
        if (b.state() == TransactionBranch.State.PREPARED && hasRecord(b)) {
            await(store.rollback(b.xid()), "forget the rolled back " + b.xid());
        }
        if (b.isRecovered()) {
            b.acknowledgements().forEach(a -> inDoubt.remove(a, b.xid()));
            LOG.info(() -> "Recovery rolled back MQTT transaction " + b.xid().key() + ": "
                    + b.messages().size() + " message(s) discarded, "
                    + b.acknowledgements().size() + " delivery(ies) to be repeated");
        }
        discard(b, null);
    }

    Xid[] recover() {
        List<Xid> prepared = new ArrayList<>();
        for (TransactionBranch b : branches.values()) {
            if (b.state() == TransactionBranch.State.PREPARED) {
                prepared.add(b.xid());
            }
        }
        if (!prepared.isEmpty()) {
            LOG.info(() -> "Transaction recovery: " + prepared.size() + " prepared MQTT transaction(s) in doubt");
        }
        return prepared.toArray(Xid[]::new);
    }

    void forget(Xid xid) throws XAException {
        // No heuristic decisions are ever taken here, so there is nothing to forget but the branch itself.
        TransactionBranch b = existing(TransactionId.of(xid));
        discard(b, null);
    }

    // ---- helpers ----

    /** Prepare writes a record only for a branch with work; one found at start has one even if all expired. */
    private static boolean hasRecord(TransactionBranch b) {
        return b.isRecovered()
                || !b.messages().isEmpty()
                || !b.acknowledgements().isEmpty();
    }

    private TransactionBranch existing(TransactionId id) throws XAException {
        TransactionBranch b = branches.get(id);
        if (b == null) {
            throw error(XAException.XAER_NOTA, "unknown transaction branch " + id);
        }
        return b;
    }

    /** Ends a branch without publishing its messages, and tells its listeners. */
    private void discard(TransactionBranch b, String why) {
        b.completed();
        branches.remove(b.xid(), b);
        if (why != null) {
            LOG.warning(() -> "MQTT transaction " + b.xid().key() + " rolled back: " + why);
        }
        for (BranchListener l : b.listeners()) {
            notify(l, false, b);
        }
    }

    private static void notify(BranchListener l, boolean committed, TransactionBranch b) {
        try {
            if (committed) {
                l.committed();
            } else {
                l.rolledBack();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Listener of " + b.xid() + " failed", e);
        }
    }

    /**
     * Rolls back branches the transaction manager started and abandoned (its timeout passed without prepare), at
     * most once a second, so that a lost transaction does not hold its messages forever.
     */
    private void sweepExpired() {
        purgeCommitted();
        long now = System.nanoTime();
        long last = lastSweep.get();
        if (now - last < SWEEP_INTERVAL_NANOS || !lastSweep.compareAndSet(last, now)) {
            return;
        }
        for (TransactionBranch b : branches.values()) {
            if (b.isExpired(now)) {
                discard(b, "its transaction timeout passed before it was prepared");
            }
        }
    }

    /** Now and then, drops the committed acknowledgements older than the grace period from the store. */
    private void purgeCommitted() {
        long now = System.nanoTime();
        long last = lastPurge.get();
        if (now - last < PURGE_INTERVAL_NANOS || !lastPurge.compareAndSet(last, now)) {
            return;
        }
        store.purgeCommitted(System.currentTimeMillis() - COMMITTED_GRACE_MILLIS)
                .whenComplete((v, e) -> {
                    if (e != null) {
                        LOG.log(Level.WARNING, "Could not purge committed acknowledgements (retried later)", e);
                    }
                });
    }

    private void await(CompletableFuture<Void> f, String what) throws XAException {
        try {
            f.get(storeTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw error(XAException.XAER_RMFAIL, "interrupted: " + what, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw error(XAException.XAER_RMERR, "could not " + what + ": " + cause, cause);
        } catch (TimeoutException e) {
            throw error(XAException.XAER_RMFAIL, "no answer within " + storeTimeoutMillis + " ms: " + what, e);
        }
    }

    static XAException error(int code, String message) {
        return error(code, message, null);
    }

    static XAException error(int code, String message, Throwable cause) {
        XAException e = new XAException(message);
        e.errorCode = code;
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }
}
