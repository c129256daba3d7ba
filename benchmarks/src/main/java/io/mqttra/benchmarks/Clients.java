package io.mqttra.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The connections of one scenario run. Closing disconnects every one of them within a bounded time, so a failed
 * run does not leave clients behind that would disturb the next broker's measurement.
 */
final class Clients implements AutoCloseable {

    static final long STEP_TIMEOUT_SECONDS = 20;

    private final Settings settings;
    private final Target target;
    private final List<BenchClient> connected = new ArrayList<>();

    Clients(Target target, Settings settings) {
        this.target = target;
        this.settings = settings;
    }

    /** Creates and connects one client, waiting at most {@link #STEP_TIMEOUT_SECONDS}. */
    BenchClient connect(String clientId, MessageHandler handler, boolean cleanStart, long sessionExpirySeconds)
            throws Exception {
        BenchClient c = BenchClient.create(settings.protocol(), target, clientId, handler);
        await(c.connect(cleanStart, sessionExpirySeconds, 60), "CONNECT " + clientId);
        synchronized (connected) {
            connected.add(c);
        }
        return c;
    }

    /** Disconnects one client now (for sessions that must go offline mid-scenario). */
    void disconnect(BenchClient c) throws Exception {
        synchronized (connected) {
            connected.remove(c);
        }
        await(c.disconnect(), "DISCONNECT");
    }

    static <T> T await(CompletableFuture<T> f, String what) throws Exception {
        try {
            return f.get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new IllegalStateException(what + ": no answer within " + STEP_TIMEOUT_SECONDS + " s", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException(what + ": " + cause, cause);
        }
    }

    @Override
    public void close() {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        synchronized (connected) {
            for (BenchClient c : connected) {
                pending.add(c.disconnect().exceptionally(e -> null));
            }
            connected.clear();
        }
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("  (some clients did not disconnect cleanly: " + e + ")");
        }
    }
}
