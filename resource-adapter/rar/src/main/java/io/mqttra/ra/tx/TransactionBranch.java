package io.mqttra.ra.tx;

import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.store.Acknowledgement;
import io.mqttra.broker.store.TransactionId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The work of one transaction branch in the broker's resource manager: the messages published under it (held back
 * until commit), the queued messages it takes (transacted deliveries, acknowledged on commit) and the listeners to
 * tell how it ended. Follows the XA state table: ACTIVE while an XAResource is
 * associated with it, SUSPENDED, IDLE once ended, PREPARED once durable, ROLLBACK_ONLY after {@code end(TMFAIL)}.
 *
 * <p>Guarded by its own monitor: the application thread publishes while the transaction manager may time the
 * branch out from another thread.
 */
final class TransactionBranch {

    enum State {
        ACTIVE,
        SUSPENDED,
        IDLE,
        ROLLBACK_ONLY,
        PREPARED,
        COMPLETED
    }

    private final TransactionId xid;
    private final List<ApplicationMessage> messages = new ArrayList<>();
    private final List<Acknowledgement> acknowledgements = new ArrayList<>(1);
    private final List<BranchListener> listeners = new ArrayList<>(1);
    private final List<CompletableFuture<Void>> routing = new ArrayList<>();
    private final long deadlineNanos;
    private State state;
    private int associations;
    private boolean recovered;
    // Positions of the messages in the prepared record; null: the publish order, as prepare writes it.
    private List<Integer> seqs;

    TransactionBranch(TransactionId xid, long timeoutSeconds) {
        this.xid = xid;
        this.state = State.ACTIVE;
        this.associations = 1;
        this.deadlineNanos = timeoutSeconds > 0 ? System.nanoTime() + timeoutSeconds * 1_000_000_000L : Long.MAX_VALUE;
    }

    /**
     * A branch found prepared in the store after a restart: only commit or rollback may follow.
     *
     * @param seqs each message's position in the prepared record
     */
    static TransactionBranch recovered(
            TransactionId xid,
            List<ApplicationMessage> messages,
            List<Integer> seqs,
            List<Acknowledgement> acknowledgements) {
        TransactionBranch b = new TransactionBranch(xid, 0);
        b.messages.addAll(messages);
        b.seqs = List.copyOf(seqs);
        b.acknowledgements.addAll(acknowledgements);
        b.state = State.PREPARED;
        b.associations = 0;
        b.recovered = true;
        return b;
    }

    TransactionId xid() {
        return xid;
    }

    synchronized State state() {
        return state;
    }

    synchronized boolean isRecovered() {
        return recovered;
    }

    /** Holds a message back until the branch commits. */
    synchronized void add(ApplicationMessage message) {
        if (state != State.ACTIVE) {
            throw new IllegalStateException("transaction branch " + xid + " is " + state + ", not active");
        }
        messages.add(message);
    }

    synchronized void addListener(BranchListener listener) {
        listeners.add(listener);
    }

    synchronized void addAcknowledgement(Acknowledgement acknowledgement) {
        acknowledgements.add(acknowledgement);
    }

    synchronized List<Acknowledgement> acknowledgements() {
        return List.copyOf(acknowledgements);
    }

    synchronized List<ApplicationMessage> messages() {
        return List.copyOf(messages);
    }

    synchronized List<BranchListener> listeners() {
        return List.copyOf(listeners);
    }

    /** Whether prepare has anything to make durable or anyone to tell: if not, the branch is read-only. */
    synchronized boolean isReadOnly() {
        return messages.isEmpty() && listeners.isEmpty() && acknowledgements.isEmpty();
    }

    synchronized boolean isExpired(long nowNanos) {
        return state != State.PREPARED && state != State.COMPLETED && nowNanos - deadlineNanos > 0;
    }

    // ---- state transitions; each returns false when the current state does not allow it ----

    synchronized boolean join() {
        if (state != State.ACTIVE && state != State.IDLE) {
            return false;
        }
        state = State.ACTIVE;
        associations++;
        return true;
    }

    synchronized boolean resume() {
        if (state != State.SUSPENDED) {
            return false;
        }
        state = State.ACTIVE;
        return true;
    }

    synchronized boolean suspend() {
        if (state != State.ACTIVE) {
            return false;
        }
        state = State.SUSPENDED;
        return true;
    }

    /** end(TMSUCCESS): the branch becomes idle once the last associated resource ended it. */
    synchronized boolean end() {
        if (state == State.ROLLBACK_ONLY) {
            return true;
        }
        if (state != State.ACTIVE && state != State.SUSPENDED) {
            return false;
        }
        associations = Math.max(0, associations - 1);
        if (associations == 0) {
            state = State.IDLE;
        }
        return true;
    }

    synchronized void markRollbackOnly() {
        if (state != State.PREPARED && state != State.COMPLETED) {
            state = State.ROLLBACK_ONLY;
        }
    }

    synchronized void prepared() {
        state = State.PREPARED;
    }

    synchronized void completed() {
        state = State.COMPLETED;
    }

    /**
     * Routes the messages not routed yet, in publish order, and returns the futures of all routed so far. Remembers
     * progress, so that a commit retried after a failure never routes a message twice; for a prepared branch the
     * store remembers it too, so that a commit replayed after a crash does not either.
     */
    synchronized CompletableFuture<Void> route(MessageSink sink) {
        for (int i = routing.size(); i < messages.size(); i++) {
            // A prepared branch's record lists the message: routing strikes it out in the same durable write.
            routing.add(
                    state == State.PREPARED
                            ? sink.publishPrepared(messages.get(i), xid, seqs == null ? i : seqs.get(i))
                            : sink.publish(messages.get(i)));
        }
        return CompletableFuture.allOf(routing.toArray(CompletableFuture[]::new));
    }

    /** How many messages were handed to the router (for a partial failure of a one-phase commit). */
    synchronized int routedCount() {
        return routing.size();
    }

    @Override
    public String toString() {
        return "TransactionBranch[" + xid + ", " + state + ", " + messages.size() + " messages, "
                + acknowledgements.size() + " acknowledgements]";
    }
}
