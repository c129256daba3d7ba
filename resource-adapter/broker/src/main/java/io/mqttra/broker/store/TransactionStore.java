package io.mqttra.broker.store;

import io.mqttra.broker.ApplicationMessage;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Prepared XA transactions of the broker's resource manager: the messages a transaction publishes once its
 * transaction manager commits it, and the queued messages it then acknowledges (transacted deliveries). Between
 * prepare and commit the broker has promised both, so they must survive a crash; after a restart the transaction
 * manager asks for the prepared branches ({@code XAResource.recover}) and commits or rolls back each one.
 *
 * <p>A committed branch's acknowledgements are kept a while longer, marked committed: the broker removes a taken
 * message from its session's queue asynchronously, so without the mark a crash right after the commit would deliver
 * the message again. {@link #purgeCommitted} drops the marks once those removals are surely durable.
 *
 * <p>A branch that commits in one phase reaches the store only when its commit is more than one durable write
 * (see {@link #commitOnePhase}); then the record is written already committed, and is the commit.
 *
 * <p>Follows the write contract of the package: futures complete once the write is durable, writes are
 * applied in call order.
 */
public interface TransactionStore {

    /**
     * Durably records a prepared transaction branch with its messages (in publish order) and acknowledgements.
     * Preparing the same branch again replaces the record.
     */
    CompletableFuture<Void> prepare(
            TransactionId xid, List<ApplicationMessage> messages, List<Acknowledgement> acknowledgements);

    /**
     * The branch was committed and its messages routed: its messages are forgotten, its acknowledgements are kept
     * as committed (see {@link #loadCommittedAcknowledgements()}). Unknown: no-op.
     */
    CompletableFuture<Void> commit(TransactionId xid);

    /**
     * Durably records a branch that commits in one phase and whose commit is more than one write: it takes queued
     * messages and publishes, or publishes several messages. Its acknowledgements are kept as committed, as by
     * {@link #commit}; its messages are kept until routed, each struck out in the same durable write as its routed
     * copies ({@link ExactlyOnceEnqueue#enqueuePrepared}). This write is the commit: a crash after it leaves the
     * messages not routed yet to {@link #loadUnrouted()}, and never gives the taken messages again.
     */
    CompletableFuture<Void> commitOnePhase(
            TransactionId xid, List<ApplicationMessage> messages, List<Acknowledgement> acknowledgements);

    /** The branch was rolled back: its record is deleted. Unknown: no-op. */
    CompletableFuture<Void> rollback(TransactionId xid);

    /** Every prepared branch not committed or rolled back yet, oldest first; called when the broker starts. */
    List<PreparedTransaction> loadPrepared();

    /**
     * The messages of committed branches that are not routed yet (a crash interrupted a commit recorded by
     * {@link #commitOnePhase}), oldest first, with their positions in the record; called when the broker starts.
     */
    List<PreparedTransaction> loadUnrouted();

    /** The acknowledgements of committed branches not purged yet; called when the broker starts. */
    List<Acknowledgement> loadCommittedAcknowledgements();

    /** Forgets the acknowledgements of branches committed before {@code epochMillis}. */
    CompletableFuture<Void> purgeCommitted(long epochMillis);
}
