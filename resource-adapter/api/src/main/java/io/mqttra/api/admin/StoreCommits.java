package io.mqttra.api.admin;

/**
 * The store's commits since the broker started. A QoS 1/2 message is acknowledged only after the commit that made
 * it durable, so these times are the floor of the acknowledgement latency. Many writes share one commit when the
 * broker is busy (group commit).
 *
 * @param commits    transactions committed
 * @param writes     writes those transactions made durable
 * @param totalNanos time spent committing, in nanoseconds
 * @param maxNanos   longest commit, in nanoseconds
 * @param lastNanos  most recent commit, in nanoseconds
 */
public record StoreCommits(long commits, long writes, long totalNanos, long maxNanos, long lastNanos) {

    public static final StoreCommits NONE = new StoreCommits(0, 0, 0, 0, 0);

    /** Mean commit time in nanoseconds; 0 before the first commit. */
    public long meanNanos() {
        return commits == 0 ? 0 : totalNanos / commits;
    }

    /** Mean writes per commit; 0 before the first commit. */
    public double writesPerCommit() {
        return commits == 0 ? 0 : (double) writes / commits;
    }
}
