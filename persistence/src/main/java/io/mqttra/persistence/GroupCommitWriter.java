package io.mqttra.persistence;

import io.mqttra.broker.store.CommitStatistics;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The only thread that writes the store: it takes every write queued since its last commit, folds them into
 * one {@link BatchPlan} and commits that in ONE database transaction (group commit).
 *
 * <p>Why group commit: a durable commit costs a disk write (H2 with {@code WRITE_DELAY=0}, PostgreSQL with
 * fsync); paying it once per message caps the broker at a few thousand messages per second, while paying it
 * once per batch of everything that arrived meanwhile keeps latency at about one commit and lets throughput grow
 * with load: the busier the broker, the bigger the batches.
 *
 * <p>Why one writer and not one per shard of client ids: the store contract orders writes across clients (an
 * {@code enqueue} to many sessions followed by a {@code remove} of one of them must never be applied the other
 * way round), and an enqueue to many sessions must be atomic. With shards both would need a cross-shard
 * protocol. The database gains little from parallel writers anyway: H2 serialises commits on one file, and the
 * cost that remains per batch is one commit plus one JDBC batch per table. Loads do not go through the writer.
 *
 * <p>Each write's future completes only after its batch has committed, in call order, so a caller that sends
 * PUBACK on completion never acknowledges something that is not durable. Futures complete on the writer thread:
 * callers must hop back to their own thread before doing real work. If a batch fails, its writes are retried
 * one per transaction, in order, so that one bad write fails alone.
 *
 * <p>Between batches the writer runs the background {@link Cleanup} when it is due, so cleanup never races
 * with writes.
 */
final class GroupCommitWriter implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(GroupCommitWriter.class.getName());

    private final EntityManagerFactory emf;
    private final int maxBatch;
    private final Cleanup cleanup;
    private final long cleanupIntervalMillis;
    private final BlockingQueue<Write> queue = new LinkedBlockingQueue<>();
    private final CommitStatistics statistics;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile Thread writerThread;
    private long nextSeq;
    private final Set<String> knownSessions = new HashSet<>();
    private long nextCleanup;

    // Written by the writer thread only; read for statistics.
    private volatile long batches;
    private volatile long writes;
    private volatile int largestBatch;

    /** A write folds {@code change} into the batch; a read (change null) runs {@code read} after the batch commits. */
    private record Write(Consumer<BatchPlan> change, CompletableFuture<Void> done, Consumer<EntityManager> read) {}

    /**
     * @param threads runs the writer loop (a JCA Work in the server); the loop holds its thread until {@link #close()}
     * @param firstSeq first queue sequence number (above every stored one)
     * @param statistics hears of every batch committed, with its size and duration
     */
    GroupCommitWriter(
            EntityManagerFactory emf,
            Executor threads,
            int maxBatch,
            long firstSeq,
            Cleanup cleanup,
            long cleanupIntervalMillis,
            CommitStatistics statistics) {
        this.emf = emf;
        this.statistics = statistics;
        this.maxBatch = maxBatch;
        this.nextSeq = firstSeq;
        this.cleanup = cleanup;
        this.cleanupIntervalMillis = cleanupIntervalMillis;
        this.nextCleanup = System.currentTimeMillis() + cleanupIntervalMillis;
        threads.execute(this::loop);
    }

    /** Queues a write; the future completes once it is committed, or fails with the reason. */
    CompletableFuture<Void> submit(Consumer<BatchPlan> change) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!running) {
            done.completeExceptionally(new IllegalStateException("store is closed"));
            return done;
        }
        return enqueue(new Write(change, done, null));
    }

    /**
     * Queues a read that sees every write submitted before it and none submitted after it. It runs on the writer
     * thread once the writes drained before it have committed; keep it to an indexed query of a bounded number of
     * rows.
     */
    <T> CompletableFuture<T> read(Function<EntityManager, T> query) {
        CompletableFuture<T> result = new CompletableFuture<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        done.whenComplete((v, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failure);
            }
        });
        if (!running) {
            done.completeExceptionally(new IllegalStateException("store is closed"));
            return result;
        }
        enqueue(new Write(null, done, em -> result.complete(query.apply(em))));
        return result;
    }

    private CompletableFuture<Void> enqueue(Write w) {
        queue.add(w);
        if (stopped.getCount() == 0) {
            failRemaining(); // lost the race with close(): nobody else will take it
        }
        return w.done();
    }

    /**
     * Waits until every write submitted before has been committed (read-your-writes for loads). Refused on the
     * writer thread itself (a future's callback that was not moved to another thread): it would wait forever.
     */
    void awaitWrites() {
        if (Thread.currentThread() == writerThread) {
            throw new IllegalStateException("store loads must not run on the store writer thread: "
                    + "hop to another thread before loading in a write's completion");
        }
        submit(plan -> {}).join();
    }

    boolean isRunning() {
        return running;
    }

    long batches() {
        return batches;
    }

    long writes() {
        return writes;
    }

    int largestBatch() {
        return largestBatch;
    }

    int backlog() {
        return queue.size();
    }

    private void loop() {
        writerThread = Thread.currentThread();
        List<Write> batch = new ArrayList<>(maxBatch);
        EntityManager em = emf.createEntityManager();
        try {
            reloadKnownSessions(em);
            while (running || !queue.isEmpty()) {
                Write first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, maxBatch - 1);
                    em = commitThenRead(em, batch);
                    batch.clear();
                }
                if (running && System.currentTimeMillis() >= nextCleanup) {
                    em = runCleanup(em);
                    nextCleanup = System.currentTimeMillis() + cleanupIntervalMillis;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "Store writer stopped by an unexpected failure", e);
        } finally {
            running = false;
            failAll(batch);
            if (em.isOpen()) {
                em.close();
            }
            stopped.countDown();
            failRemaining();
        }
    }

    /**
     * Commits the batch's writes and runs its reads in call order. A read must not see a write called after it: the
     * engine reads a session's stored queue to hand it on and deletes the session right after, so a read run behind
     * that delete found nothing and the queue was lost. The writes between two reads share one commit; a read that
     * writes follow in the same batch costs one commit more.
     */
    private EntityManager commitThenRead(EntityManager em, List<Write> batch) {
        int writesFrom = 0;
        for (int i = 0; i < batch.size(); i++) {
            Write r = batch.get(i);
            if (r.read() == null) {
                continue;
            }
            if (i > writesFrom) {
                em = commit(em, batch.subList(writesFrom, i));
            }
            writesFrom = i + 1;
            try {
                r.read().accept(em);
                r.done().complete(null);
            } catch (RuntimeException e) {
                r.done().completeExceptionally(e);
                em = discard(em);
            } finally {
                if (em.isOpen()) {
                    em.clear();
                }
            }
        }
        if (writesFrom < batch.size()) {
            em = commit(em, batch.subList(writesFrom, batch.size()));
        }
        return em;
    }

    /** Commits the batch; returns the entity manager to use next (a fresh one after a failure). */
    private EntityManager commit(EntityManager em, List<Write> batch) {
        BatchPlan plan = new BatchPlan(() -> nextSeq++, knownSessions);
        EntityTransaction tx = em.getTransaction();
        long started;
        try {
            for (Write w : batch) {
                w.change().accept(plan);
            }
            started = System.nanoTime();
            tx.begin();
            plan.apply(em, em.unwrap(Connection.class));
            tx.commit();
            statistics.committed(batch.size(), System.nanoTime() - started);
            em.clear();
        } catch (RuntimeException | SQLException batchFailure) {
            em = discard(em);
            reloadKnownSessions(em); // the fold changed it for writes that did not commit
            if (batch.size() == 1) {
                LOG.log(Level.WARNING, "Store write failed and was not made durable: " + batchFailure);
                batch.get(0).done().completeExceptionally(batchFailure);
                return em;
            }
            LOG.log(
                    Level.WARNING,
                    "Batch of " + batch.size() + " writes failed (" + batchFailure + "); retrying them one by one");
            for (Write w : batch) {
                em = commit(em, List.of(w));
            }
            return em;
        }
        batches++;
        writes += batch.size();
        if (batch.size() > largestBatch) {
            largestBatch = batch.size();
        }
        for (Write w : batch) {
            w.done().complete(null);
        }
        return em;
    }

    private EntityManager runCleanup(EntityManager em) {
        try {
            em.getTransaction().begin();
            List<String> expired = cleanup.run(em, System.currentTimeMillis());
            em.getTransaction().commit();
            em.clear();
            expired.forEach(knownSessions::remove);
            return em;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Store cleanup failed, will retry: " + e);
            return discard(em);
        }
    }

    private void reloadKnownSessions(EntityManager em) {
        knownSessions.clear();
        knownSessions.addAll(em.createQuery("SELECT s.clientId FROM SessionEntity s", String.class)
                .getResultList());
        em.clear();
    }

    private EntityManager discard(EntityManager em) {
        try {
            if (em.getTransaction().isActive()) {
                em.getTransaction().rollback();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "Rollback failed", e);
        } finally {
            em.close();
        }
        return emf.createEntityManager();
    }

    private void failRemaining() {
        List<Write> rest = new ArrayList<>();
        queue.drainTo(rest);
        failAll(rest);
    }

    private static void failAll(List<Write> writes) {
        for (Write w : writes) {
            w.done().completeExceptionally(new IllegalStateException("store is closed"));
        }
    }

    /** Commits what is queued, then ends the writer loop and waits for it (at most 30 s). */
    @Override
    public void close() {
        running = false;
        try {
            if (!stopped.await(30, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "Store writer did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
