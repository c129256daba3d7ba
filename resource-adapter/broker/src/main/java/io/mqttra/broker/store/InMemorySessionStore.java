package io.mqttra.broker.store;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** Persistent sessions on the heap. Deleting a session also drops its queue in the paired message store. */
public final class InMemorySessionStore implements SessionStore {

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final InMemoryMessageStore messages;
    private final ConcurrentHashMap<String, Entry> sessions = new ConcurrentHashMap<>();

    private static final class Entry {
        volatile StoredSession session;
        final Map<String, StoredSubscription> subscriptions = new LinkedHashMap<>();
        final Set<Integer> incomingQos2 = new HashSet<>();

        Entry(StoredSession session) {
            this.session = session;
        }
    }

    public InMemorySessionStore(InMemoryMessageStore messages) {
        this.messages = messages;
        messages.pairWith(this);
    }

    @Override
    public List<StoredSession> loadSessions() {
        List<StoredSession> out = new ArrayList<>();
        for (Entry e : sessions.values()) {
            synchronized (e) {
                out.add(e.session.withState(new ArrayList<>(e.subscriptions.values()), new HashSet<>(e.incomingQos2)));
            }
        }
        return out;
    }

    @Override
    public CompletableFuture<Void> saveSession(StoredSession session) {
        sessions.compute(session.clientId(), (id, e) -> {
            if (e == null) {
                return new Entry(session);
            }
            e.session = session;
            return e;
        });
        return DONE;
    }

    @Override
    public CompletableFuture<Void> deleteSession(String clientId) {
        sessions.remove(clientId);
        messages.deleteQueue(clientId);
        return DONE;
    }

    @Override
    public CompletableFuture<Void> saveSubscription(String clientId, StoredSubscription subscription) {
        with(clientId, e -> e.subscriptions.put(subscription.filter(), subscription));
        return DONE;
    }

    @Override
    public CompletableFuture<Void> deleteSubscription(String clientId, String filter) {
        with(clientId, e -> e.subscriptions.remove(filter));
        return DONE;
    }

    @Override
    public CompletableFuture<Void> addIncomingQos2(String clientId, int packetId) {
        with(clientId, e -> e.incomingQos2.add(packetId));
        return DONE;
    }

    @Override
    public CompletableFuture<Void> releaseIncomingQos2(String clientId, int packetId) {
        with(clientId, e -> e.incomingQos2.remove(packetId));
        return DONE;
    }

    private void with(String clientId, java.util.function.Consumer<Entry> change) {
        Entry e = sessions.get(clientId);
        if (e != null) {
            synchronized (e) {
                change.accept(e);
            }
        }
    }
}
