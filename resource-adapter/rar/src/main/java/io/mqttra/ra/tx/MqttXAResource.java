package io.mqttra.ra.tx;

import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.store.Acknowledgement;
import io.mqttra.broker.store.TransactionId;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * The XAResource through which the transaction manager drives the broker's {@link MqttResourceManager}. One per
 * outbound managed connection (publishes made while a branch is associated are held in it until commit) and one
 * per transacted inbound delivery (its {@link BranchListener} acknowledges the message on commit).
 *
 * <p>Keeps only the association with the current branch; the branches themselves live in the resource manager.
 */
public final class MqttXAResource implements XAResource {

    private final MqttResourceManager rm;
    private final BranchListener listener;
    private final Acknowledgement acknowledgement;
    private volatile TransactionBranch current;
    private volatile int timeoutSeconds;
    private boolean scanning;

    MqttXAResource(MqttResourceManager rm, BranchListener listener, Acknowledgement acknowledgement) {
        this.rm = rm;
        this.listener = listener;
        this.acknowledgement = acknowledgement;
    }

    /** Whether a transaction branch is associated now: publishes are then held back until it commits. */
    public boolean inTransaction() {
        return current != null;
    }

    /**
     * Holds a message in the associated branch.
     *
     * @throws IllegalStateException when no branch is associated or it can no longer take work (e.g. rollback-only)
     */
    public void publish(ApplicationMessage message) {
        TransactionBranch b = current;
        if (b == null) {
            throw new IllegalStateException("no transaction is associated with this MQTT connection");
        }
        b.add(message);
    }

    @Override
    public void start(Xid xid, int flags) throws XAException {
        TransactionBranch b = rm.start(xid, flags, timeoutSeconds);
        if (flags == TMNOFLAGS) {
            if (listener != null) {
                b.addListener(listener);
            }
            if (acknowledgement != null) {
                b.addAcknowledgement(acknowledgement);
            }
        }
        current = b;
    }

    @Override
    public void end(Xid xid, int flags) throws XAException {
        try {
            rm.end(xid, flags);
        } finally {
            current = null;
        }
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        return rm.prepare(xid);
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        rm.commit(xid, onePhase);
    }

    @Override
    public void rollback(Xid xid) throws XAException {
        try {
            rm.rollback(xid);
        } finally {
            TransactionBranch b = current;
            if (b != null && b.xid().equals(TransactionId.of(xid))) {
                current = null;
            }
        }
    }

    /**
     * Every prepared branch of the resource manager (not only this resource's), as the transaction manager's
     * recovery expects: once at the start of a scan ({@code TMSTARTRSCAN}), nothing on the calls that continue it.
     */
    @Override
    public Xid[] recover(int flag) throws XAException {
        if ((flag & ~(TMSTARTRSCAN | TMENDRSCAN)) != 0) {
            throw MqttResourceManager.error(XAException.XAER_INVAL, "recover with flags " + flag);
        }
        synchronized (this) {
            boolean start = (flag & TMSTARTRSCAN) != 0 || !scanning;
            scanning = (flag & TMENDRSCAN) == 0;
            return start ? rm.recover() : new Xid[0];
        }
    }

    @Override
    public void forget(Xid xid) throws XAException {
        rm.forget(xid);
    }

    /** Resources of the same broker share one resource manager: the transaction manager may join their branches. */
    @Override
    public boolean isSameRM(XAResource other) {
        return other instanceof MqttXAResource o && o.rm == rm;
    }

    @Override
    public int getTransactionTimeout() {
        return timeoutSeconds;
    }

    @Override
    public boolean setTransactionTimeout(int seconds) throws XAException {
        if (seconds < 0) {
            throw MqttResourceManager.error(XAException.XAER_INVAL, "negative transaction timeout " + seconds);
        }
        timeoutSeconds = seconds;
        return true;
    }
}
