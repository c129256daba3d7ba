package io.mqttra.broker.store;

import io.mqttra.broker.ApplicationMessage;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Prepared XA transactions of the broker's resource manager: the messages a transaction publishes once its
 * transaction manager commits it, and the queued messages it then acknowledges (transacted deliveries). Between prepare and commit the broker has promised to publish them, so they
 * must survive a crash; after a restart the transaction manager asks for them ({@code XAResource.recover}) and
 * commits or rolls back each one.
 *
 * <p>Follows the write contract of the package: futures complete once the write is durable, writes are
 * applied in call order. A transaction that commits in one phase never reaches the store.
 */
public interface TransactionStore {

    /**
     * Durably records a prepared transaction branch with its messages (in publish order) and acknowledgements.
     * Preparing the same branch again replaces the record.
     */
    CompletableFuture<Void> prepare(TransactionId xid, List<ApplicationMessage> messages,
                                    List<Acknowledgement> acknowledgements);

    /** The branch was committed and its messages routed: the record is no longer needed. Unknown: no-op. */
    CompletableFuture<Void> commit(TransactionId xid);

    /** The branch was rolled back: its messages are discarded. Unknown: no-op. */
    CompletableFuture<Void> rollback(TransactionId xid);

    /** Every prepared branch, oldest first; called when the broker starts. */
    List<PreparedTransaction> loadPrepared();
}
