package io.mqttra.broker.auth;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts consecutive failed logins per remote address and says how long to hold back the refusal: the base
 * delay, doubled with each further failure, up to a cap. A password-guessing client thus gets its answers
 * ever more slowly, while one mistyped password costs a user only the base delay. A successful login from
 * the address starts the count afresh; so does a pause longer than {@link #forgetAfterMillis()}.
 *
 * <p>The table is bounded: when it grows past {@link #MAX_TRACKED} addresses, entries whose last failure is
 * older than the forget time are dropped, then, if still full, all of them (a flood from that many addresses
 * is not slowed by per-address counts anyway).
 */
public final class LoginThrottle {

    static final int MAX_TRACKED = 100_000;

    private final long baseDelayMillis;
    private final long maxDelayMillis;
    private final long forgetAfterNanos;
    private final ConcurrentHashMap<Object, Failures> failures = new ConcurrentHashMap<>();

    /**
     * @param baseDelayMillis delay of the first refusal; 0 turns throttling off
     * @param maxDelayMillis  cap on the delay
     */
    public LoginThrottle(long baseDelayMillis, long maxDelayMillis) {
        if (baseDelayMillis < 0 || maxDelayMillis < baseDelayMillis) {
            throw new IllegalArgumentException(
                    "need 0 <= base delay <= max delay: " + baseDelayMillis + ", " + maxDelayMillis);
        }
        this.baseDelayMillis = baseDelayMillis;
        this.maxDelayMillis = maxDelayMillis;
        this.forgetAfterNanos = Math.max(60_000, maxDelayMillis * 10) * 1_000_000L;
    }

    long forgetAfterMillis() {
        return forgetAfterNanos / 1_000_000L;
    }

    /** Records a failed login from the address; returns the consecutive failures and the delay to apply. */
    public Penalty failed(SocketAddress remote) {
        long now = System.nanoTime();
        if (failures.size() >= MAX_TRACKED) {
            failures.values().removeIf(f -> now - f.lastNanos > forgetAfterNanos);
            if (failures.size() >= MAX_TRACKED) {
                failures.clear();
            }
        }
        Failures f = failures.compute(key(remote), (k, old) -> {
            int count = old == null || now - old.lastNanos > forgetAfterNanos ? 1 : old.count + 1;
            return new Failures(count, now);
        });
        return new Penalty(f.count, delayFor(f.count));
    }

    /** A successful login from the address clears its count. */
    public void succeeded(SocketAddress remote) {
        if (!failures.isEmpty()) {
            failures.remove(key(remote));
        }
    }

    long delayFor(int consecutiveFailures) {
        if (baseDelayMillis == 0) {
            return 0;
        }
        int shift = Math.min(consecutiveFailures - 1, 30);
        long delay = baseDelayMillis << shift;
        return delay <= 0 || delay > maxDelayMillis ? maxDelayMillis : delay;
    }

    /** Addresses with recent failures (for tests and monitoring). */
    public int trackedAddresses() {
        return failures.size();
    }

    /** Failures are counted per host, not per connection: the port changes with every attempt. */
    private static Object key(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress();
        }
        return remote == null ? "unknown" : remote.toString();
    }

    /** The outcome of one failure: how many in a row from that address and how long to hold the answer. */
    public record Penalty(int consecutiveFailures, long delayMillis) {}

    private record Failures(int count, long lastNanos) {}
}
