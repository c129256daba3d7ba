package io.mqttra.ra.tx;

import java.util.concurrent.CompletableFuture;

/**
 * Told how a transaction branch ended. The inbound side uses it to acknowledge a message to the broker only
 * when the message-driven bean's transaction commits, and to redeliver it when it rolls back.
 *
 * <p>Called on the thread that completes the transaction, after the branch's own work (routing) is done.
 */
public interface BranchListener {

    void committed();

    void rolledBack();

    /**
     * Completes once what {@link #committed()} started is durable (the removal of a taken message). A one-phase
     * commit waits for it before it returns, because no prepared record remembers the acknowledgement.
     */
    default CompletableFuture<Void> settled() {
        return CompletableFuture.completedFuture(null);
    }
}
