package io.mqttra.broker.session;

import io.netty.util.concurrent.EventExecutor;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the tasks of one session one at a time, in submission order, on an event loop that can change
 * (a session follows its current connection's event loop). This confines all session state to one thread
 * at a time without a lock, and a task never waits for another session.
 *
 * <p>When the caller is already on the target event loop and nothing is queued, the task runs at once
 * (no hop); otherwise it is queued and one drain task runs a batch, then calls {@link #afterBatch} so the
 * session can flush its socket once per batch instead of once per message.
 */
public final class SerialExecutor {

    private static final Logger LOG = Logger.getLogger(SerialExecutor.class.getName());
    private static final int BATCH = 256;

    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable afterBatch;
    private volatile EventExecutor target;
    /**
     * Set by a move to another event loop until a batch has run there. What a batch on the former loop wrote to a
     * channel of the new one (a CONNACK) is a task queued on the new loop, so a task must not run inline there before
     * that task has run: it would write its packets first [MQTT-3.2.0-1].
     */
    private volatile boolean moved;

    public SerialExecutor(EventExecutor target, Runnable afterBatch) {
        this.target = target;
        this.afterBatch = afterBatch;
    }

    public void execute(Runnable task) {
        tasks.add(task);
        if (scheduled.compareAndSet(false, true)) {
            EventExecutor t = target;
            if (t.inEventLoop() && !moved) {
                drain();
            } else {
                submit(t);
            }
        }
    }

    private void submit(EventExecutor t) {
        try {
            t.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // The broker is stopping and its event loops no longer take tasks: the session's last tasks
            // (detach, deliveries) are dropped; durable state is in the store.
            scheduled.set(false);
            LOG.fine("session task dropped: event loop shut down");
        }
    }

    /** The event loop later batches run on; only call from a task of this executor. */
    public void moveTo(EventExecutor newTarget) {
        if (newTarget != target) {
            moved = true;
            this.target = newTarget;
        }
    }

    public EventExecutor target() {
        return target;
    }

    private void drain() {
        if (moved && target.inEventLoop()) {
            moved = false; // queued behind whatever the former loop's batches wrote to this loop's channels
        }
        try {
            Runnable task;
            int n = 0;
            while (n++ < BATCH && (task = tasks.poll()) != null) {
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    LOG.log(Level.SEVERE, "session task failed", e);
                }
            }
            try {
                afterBatch.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "session flush failed", e);
            }
        } finally {
            scheduled.set(false);
        }
        if (!tasks.isEmpty() && scheduled.compareAndSet(false, true)) {
            submit(target);
        }
    }
}
