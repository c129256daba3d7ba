package io.mqttra.broker;

import io.mqttra.broker.store.CommitStatistics;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Counters of one broker, for the resource adapter's admin object, the console and MicroProfile Metrics.
 * Reads are cheap and lock-free; values are eventually consistent snapshots.
 */
public final class BrokerMetrics {

    final LongAdder connectionsCurrent = new LongAdder();
    final LongAdder connectionsTotal = new LongAdder();
    final LongAdder connectionsRejected = new LongAdder();
    // Indexed by QoS: operators want to see how much traffic pays for acknowledgements and storage.
    final LongAdder[] messagesIn = perQos();
    final LongAdder[] messagesOut = perQos();
    final LongAdder[] bytesIn = perQos();
    final LongAdder[] bytesOut = perQos();
    final LongAdder messagesDropped = new LongAdder();
    final LongAdder protocolErrors = new LongAdder();
    final LongAdder loginFailures = new LongAdder();
    final LongAdder accessDenied = new LongAdder();
    final java.util.concurrent.atomic.LongAccumulator connectionsMaximum =
            new java.util.concurrent.atomic.LongAccumulator(Math::max, 0);
    // Message-driven beans are local sessions; the resource adapter counts what happens to their deliveries.
    final LongAdder mdbDeliveries = new LongAdder();
    final LongAdder mdbRedeliveries = new LongAdder();
    final LongAdder mdbDeadLetters = new LongAdder();
    private volatile CommitStatistics storeCommits = new CommitStatistics();
    private volatile LongSupplier retained = () -> 0;
    private volatile LongSupplier subscriptions = () -> 0;
    private volatile LongSupplier sessions = () -> 0;

    /** Open network connections. */
    public long connections() {
        return connectionsCurrent.sum();
    }

    /** Most network connections open at the same time since start ($SYS/broker/clients/maximum). */
    public long connectionsMaximum() {
        return connectionsMaximum.get();
    }

    /** Network connections accepted (CONNACK 0) since start. */
    public long connectionsTotal() {
        return connectionsTotal.sum();
    }

    /** Connections refused: over the connection limit, or CONNECT rejected. */
    public long connectionsRejected() {
        return connectionsRejected.sum();
    }

    /** PUBLISH packets received from clients plus internal publishes. */
    public long messagesIn() {
        return sum(messagesIn);
    }

    /** PUBLISH deliveries sent to sessions (network and local). */
    public long messagesOut() {
        return sum(messagesOut);
    }

    /** Payload bytes received. */
    public long bytesIn() {
        return sum(bytesIn);
    }

    /** Payload bytes sent. */
    public long bytesOut() {
        return sum(bytesOut);
    }

    /** PUBLISH received at this QoS (0, 1 or 2). */
    public long messagesIn(int qos) {
        return messagesIn[qos].sum();
    }

    /** Deliveries sent at this QoS (0, 1 or 2). */
    public long messagesOut(int qos) {
        return messagesOut[qos].sum();
    }

    /** Payload bytes received at this QoS (0, 1 or 2). */
    public long bytesIn(int qos) {
        return bytesIn[qos].sum();
    }

    /** Payload bytes sent at this QoS (0, 1 or 2). */
    public long bytesOut(int qos) {
        return bytesOut[qos].sum();
    }

    private static LongAdder[] perQos() {
        return new LongAdder[] {new LongAdder(), new LongAdder(), new LongAdder()};
    }

    private static long sum(LongAdder[] adders) {
        return adders[0].sum() + adders[1].sum() + adders[2].sum();
    }

    /** Deliveries dropped: session queue full, expired, or too large for the client. */
    public long messagesDropped() {
        return messagesDropped.sum();
    }

    /** Connections closed because of a protocol violation or malformed packet. */
    public long protocolErrors() {
        return protocolErrors.sum();
    }

    /** CONNECTs refused for a wrong user name or password (each also delayed by the login throttle). */
    public long loginFailures() {
        return loginFailures.sum();
    }

    /** PUBLISHes, subscriptions and deliveries refused by the ACLs. */
    public long accessDenials() {
        return accessDenied.sum();
    }

    /** Messages handed to a message-driven bean method, every attempt counted (redeliveries included). */
    public long mdbDeliveries() {
        return mdbDeliveries.sum();
    }

    /** Attempts that gave a bean a message it had been given before (DUP set): after a rollback, or a restart. */
    public long mdbRedeliveries() {
        return mdbRedeliveries.sum();
    }

    /** Messages a bean kept refusing: moved to its dead-letter topic, or dropped when it has none. */
    public long mdbDeadLetters() {
        return mdbDeadLetters.sum();
    }

    /** The store's commits (all 0 for a store that does not report them). */
    public CommitStatistics storeCommits() {
        return storeCommits;
    }

    public long retainedMessages() {
        return retained.getAsLong();
    }

    public long subscriptions() {
        return subscriptions.getAsLong();
    }

    /** Sessions known to the broker (connected, offline persistent, local). */
    public long sessions() {
        return sessions.getAsLong();
    }

    // The engine reports through these; they are public only because the engine lives in sub-packages.

    public void connectionOpened() {
        connectionsCurrent.increment();
        connectionsMaximum.accumulate(connectionsCurrent.sum());
    }

    public void connectionClosed() {
        connectionsCurrent.decrement();
    }

    public void connectionAccepted() {
        connectionsTotal.increment();
    }

    public void connectionRejected() {
        connectionsRejected.increment();
    }

    public void messageIn(int qos, int payloadBytes) {
        messagesIn[qos].increment();
        bytesIn[qos].add(payloadBytes);
    }

    public void messageOut(int qos, int payloadBytes) {
        messagesOut[qos].increment();
        bytesOut[qos].add(payloadBytes);
    }

    public void messageDropped() {
        messagesDropped.increment();
    }

    public void loginFailed() {
        loginFailures.increment();
    }

    public void accessDenied() {
        accessDenied.increment();
    }

    public void protocolError() {
        protocolErrors.increment();
    }

    /** A bean method is about to get a message; {@code redelivery} when the bean sees it flagged DUP. */
    public void mdbDelivery(boolean redelivery) {
        mdbDeliveries.increment();
        if (redelivery) {
            mdbRedeliveries.increment();
        }
    }

    public void mdbDeadLettered() {
        mdbDeadLetters.increment();
    }

    public void bindStoreCommits(CommitStatistics commits) {
        this.storeCommits = java.util.Objects.requireNonNull(commits, "commits");
    }

    public void bindGauges(LongSupplier retained, LongSupplier subscriptions, LongSupplier sessions) {
        this.retained = retained;
        this.subscriptions = subscriptions;
        this.sessions = sessions;
    }

    @Override
    public String toString() {
        return "connections=" + connections() + " in=" + messagesIn() + " out=" + messagesOut()
                + " dropped=" + messagesDropped() + " retained=" + retainedMessages()
                + " subscriptions=" + subscriptions() + " sessions=" + sessions();
    }
}
