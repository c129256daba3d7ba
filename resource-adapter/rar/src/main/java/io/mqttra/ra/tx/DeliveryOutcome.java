package io.mqttra.ra.tx;

/**
 * How the transaction of one transacted delivery to a message-driven bean ended, as its XAResource saw it.
 * The container completes the transaction inside {@code afterDelivery()}, on the delivering thread, so the
 * outcome is known when that call returns; a transaction the container never started stays {@link State#NONE}.
 *
 * <p>{@code onCommit} runs inside the commit (before a prepared branch's record is deleted): the place to
 * acknowledge the message to the broker, so that it is taken exactly when the transaction commits.
 */
public final class DeliveryOutcome implements BranchListener {

    public enum State { NONE, COMMITTED, ROLLED_BACK }

    private final Runnable onCommit;
    private volatile State state = State.NONE;

    public DeliveryOutcome() {
        this(null);
    }

    public DeliveryOutcome(Runnable onCommit) {
        this.onCommit = onCommit;
    }

    @Override
    public void committed() {
        state = State.COMMITTED;
        if (onCommit != null) {
            onCommit.run();
        }
    }

    @Override
    public void rolledBack() {
        state = State.ROLLED_BACK;
    }

    public State state() {
        return state;
    }
}
