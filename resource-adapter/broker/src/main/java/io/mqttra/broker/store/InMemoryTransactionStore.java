package io.mqttra.broker.store;

import io.mqttra.broker.ApplicationMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Prepared transactions on the heap. Enough for a server without a database: a crash then loses what was
 * prepared, which the transaction manager sees as a heuristic outcome during recovery.
 */
public final class InMemoryTransactionStore implements TransactionStore {

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    // Insertion order keeps loadPrepared() oldest first.
    private final Map<TransactionId, PreparedTransaction> prepared = new LinkedHashMap<>();
    private final Map<TransactionId, Committed> committed = new LinkedHashMap<>();

    private record Committed(List<Acknowledgement> acknowledgements, long at) {}

    @Override
    public synchronized CompletableFuture<Void> prepare(
            TransactionId xid, List<ApplicationMessage> messages, List<Acknowledgement> acknowledgements) {
        prepared.put(xid, new PreparedTransaction(xid, messages, acknowledgements));
        return DONE;
    }

    @Override
    public synchronized CompletableFuture<Void> commit(TransactionId xid) {
        PreparedTransaction p = prepared.remove(xid);
        if (p != null && !p.acknowledgements().isEmpty()) {
            committed.put(xid, new Committed(p.acknowledgements(), System.currentTimeMillis()));
        }
        return DONE;
    }

    /** Nothing here survives the process, so only the acknowledgements are kept: messages are routed right after. */
    @Override
    public synchronized CompletableFuture<Void> commitOnePhase(
            TransactionId xid, List<ApplicationMessage> messages, List<Acknowledgement> acknowledgements) {
        if (!acknowledgements.isEmpty()) {
            committed.put(xid, new Committed(List.copyOf(acknowledgements), System.currentTimeMillis()));
        }
        return DONE;
    }

    @Override
    public synchronized CompletableFuture<Void> rollback(TransactionId xid) {
        prepared.remove(xid);
        return DONE;
    }

    @Override
    public synchronized List<PreparedTransaction> loadPrepared() {
        return new ArrayList<>(prepared.values());
    }

    @Override
    public List<PreparedTransaction> loadUnrouted() {
        return List.of();
    }

    @Override
    public synchronized List<Acknowledgement> loadCommittedAcknowledgements() {
        List<Acknowledgement> out = new ArrayList<>();
        committed.values().forEach(c -> out.addAll(c.acknowledgements()));
        return out;
    }

    @Override
    public synchronized CompletableFuture<Void> purgeCommitted(long epochMillis) {
        committed.values().removeIf(c -> c.at() < epochMillis);
        return DONE;
    }
}
