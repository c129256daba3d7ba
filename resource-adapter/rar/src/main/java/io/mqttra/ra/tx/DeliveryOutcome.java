package io.mqttra.ra.tx;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * How the transaction of one transacted delivery to a message-driven bean ended, as its XAResource saw it.
 * The container completes the transaction inside {@code afterDelivery()}, on the delivering thread, so the
 * outcome is known when that call returns; a transaction the container never started stays {@link State#NONE}.
 *
 * <p>{@code onCommit} runs inside the commit (before a prepared branch's record is deleted): the place to
 * acknowledge the message to the broker, so that it is taken exactly when the transaction commits. Its future
 * (the acknowledgement made durable) is what {@link #settled()} returns.
 */
public final class DeliveryOutcome implements BranchListener {

    public enum State {
        NONE,
        COMMITTED,
        ROLLED_BACK
    }

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final Supplier<CompletableFuture<Void>> onCommit;
    private volatile State state = State.NONE;
    private volatile CompletableFuture<Void> settled = DONE;

    public DeliveryOutcome() {
        this(null);
    }

    public DeliveryOutcome(Supplier<CompletableFuture<Void>> onCommit) {
        this.onCommit = onCommit;
    }

    @Override
    public void committed() {
        state = State.COMMITTED;
        if (onCommit != null) {
            settled = onCommit.get();
        }
    }

    @Override
    public void rolledBack() {
        state = State.ROLLED_BACK;
    }

    @Override
    public CompletableFuture<Void> settled() {
        return settled;
    }

    public State state() {
        return state;
    }
}
