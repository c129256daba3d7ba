package io.mqttra.ra;

import jakarta.resource.spi.work.ExecutionContext;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkEvent;
import jakarta.resource.spi.work.WorkListener;
import jakarta.resource.spi.work.WorkManager;
import jakarta.resource.spi.work.WorkRejectedException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test stand-in for the server's WorkManager (unit tests of single classes only; the Payara integration test uses
 * the real one): runs Works on a cached thread pool and can be told to refuse them.
 */
public final class ThreadPoolWorkManager implements WorkManager, AutoCloseable {

    private final ExecutorService pool;
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean refusing;

    /** As many threads as Works need. */
    public ThreadPoolWorkManager() {
        this.pool = Executors.newCachedThreadPool();
    }

    /** A fixed number of threads, reused by the Works in turn. */
    public ThreadPoolWorkManager(int threads) {
        this.pool = Executors.newFixedThreadPool(threads);
    }

    public void refuse(boolean refuse) {
        this.refusing = refuse;
    }

    public int started() {
        return started.get();
    }

    /** Works whose run() has not returned yet. */
    public int running() {
        return running.get();
    }

    @Override
    public void doWork(Work work) throws WorkRejectedException {
        check();
        work.run();
    }

    @Override
    public void doWork(Work work, long startTimeout, ExecutionContext context, WorkListener listener)
            throws WorkRejectedException {
        doWork(work);
    }

    @Override
    public long startWork(Work work) throws WorkRejectedException {
        return startWork(work, INDEFINITE, null, null);
    }

    @Override
    public long startWork(Work work, long startTimeout, ExecutionContext context, WorkListener listener)
            throws WorkRejectedException {
        submit(work, listener);
        return 0;
    }

    @Override
    public void scheduleWork(Work work) throws WorkRejectedException {
        submit(work, null);
    }

    @Override
    public void scheduleWork(Work work, long startTimeout, ExecutionContext context, WorkListener listener)
            throws WorkRejectedException {
        submit(work, listener);
    }

    private void submit(Work work, WorkListener listener) throws WorkRejectedException {
        check();
        started.incrementAndGet();
        try {
            running.incrementAndGet();
            pool.execute(() -> {
                try {
                    work.run();
                } finally {
                    running.decrementAndGet();
                    if (listener != null) {
                        listener.workCompleted(new WorkEvent(this, WorkEvent.WORK_COMPLETED, work, null));
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            throw new WorkRejectedException(e);
        }
    }

    private void check() throws WorkRejectedException {
        if (refusing) {
            throw new WorkRejectedException("refused by the test");
        }
    }

    @Override
    public void close() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(5, TimeUnit.SECONDS);
    }
}
