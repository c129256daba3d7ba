package io.mqttra.ra;

import io.netty.util.concurrent.FastThreadLocal;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkAdapter;
import jakarta.resource.spi.work.WorkEvent;
import jakarta.resource.spi.work.WorkException;
import jakarta.resource.spi.work.WorkManager;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the broker's long-lived tasks (Netty event loops) as JCA Works, so the server owns every thread.
 *
 * <p>The server never calls {@link Work#release()} on them, so the broker must end them itself; this class
 * only counts the Works still running so that the adapter's {@code stop()} can wait for them before the
 * class loader of the RAR goes away (a Work outliving it fails with NoClassDefFoundError).
 */
final class WorkManagerExecutor implements Executor {

    private static final Logger LOG = Logger.getLogger(WorkManagerExecutor.class.getName());

    private final WorkManager workManager;
    private final Object lock = new Object();
    private int running;

    WorkManagerExecutor(WorkManager workManager) {
        this.workManager = workManager;
    }

    @Override
    public void execute(Runnable task) {
        TaskWork work = new TaskWork(task);
        synchronized (lock) {
            running++;
        }
        try {
            // startWork returns once the Work has a thread; INDEFINITE because an event loop never finishes early.
            workManager.startWork(work, WorkManager.INDEFINITE, null, work);
        } catch (WorkException e) {
            work.countOnce();
            throw new RejectedExecutionException(
                    "the server's WorkManager refused a broker thread: " + e.getMessage(), e);
        }
    }

    /** Number of Works started here that have not ended yet. */
    int running() {
        synchronized (lock) {
            return running;
        }
    }

    /**
     * Waits until every Work started here has ended.
     *
     * @return true if all ended within the timeout
     */
    boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (lock) {
            while (running > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    private void finished() {
        synchronized (lock) {
            running--;
            lock.notifyAll();
        }
    }

    /** One executor task as a Work; it listens to its own end so that rejected or failed Works are counted too. */
    private final class TaskWork extends WorkAdapter implements Work {
        private final Runnable task;
        private boolean counted;

        TaskWork(Runnable task) {
            this.task = task;
        }

        @Override
        public void run() {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.log(Level.SEVERE, "A broker thread ended with an error", e);
                throw e;
            } finally {
                // Pooled server threads outlive the RAR: leave no Netty thread-locals (and class loader) behind.
                FastThreadLocal.removeAll();
                countOnce();
            }
        }

        @Override
        public void release() {
            // Never called by Payara; the broker's stop() ends the event loops, which ends run().
        }

        @Override
        public void workRejected(WorkEvent e) {
            countOnce();
        }

        private void countOnce() {
            synchronized (this) {
                if (counted) {
                    return;
                }
                counted = true;
            }
            finished();
        }
    }
}
