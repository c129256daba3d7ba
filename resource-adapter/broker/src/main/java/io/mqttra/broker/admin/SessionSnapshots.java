package io.mqttra.broker.admin;

import io.mqttra.broker.session.Session;
import io.mqttra.broker.session.SessionRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * Reads every session for the admin view. Session state belongs to the session's executor, so each session is
 * asked to describe itself there; all sessions are asked at once and answer in parallel, and one that does not
 * answer in time is left out (and logged) rather than holding up the console.
 */
final class SessionSnapshots {

    private static final Logger LOG = Logger.getLogger(SessionSnapshots.class.getName());

    private final long timeoutMillis;

    SessionSnapshots(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    /** Snapshots of all sessions, ordered by client identifier. */
    List<SessionSnapshot> all(SessionRegistry registry) {
        List<CompletableFuture<SessionSnapshot>> pending = new ArrayList<>(registry.size());
        for (Session s : registry.all()) {
            pending.add(ask(s));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        List<SessionSnapshot> out = new ArrayList<>(pending.size());
        int late = 0;
        for (CompletableFuture<SessionSnapshot> f : pending) {
            SessionSnapshot s = await(f, deadline);
            if (s == null) {
                late++;
            } else {
                out.add(s);
            }
        }
        if (late > 0) {
            int n = late;
            LOG.warning(() -> n + " session(s) did not answer the admin view within " + timeoutMillis + " ms");
        }
        out.sort(Comparator.comparing(SessionSnapshot::clientId));
        return out;
    }

    /** Snapshot of one session, or null when it does not answer in time. */
    SessionSnapshot one(Session s) {
        return await(ask(s), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
    }

    private static CompletableFuture<SessionSnapshot> ask(Session s) {
        CompletableFuture<SessionSnapshot> f = new CompletableFuture<>();
        s.execute(() -> {
            try {
                f.complete(SessionSnapshot.of(s));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private static SessionSnapshot await(CompletableFuture<SessionSnapshot> f, long deadlineNanos) {
        try {
            return f.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }
}
