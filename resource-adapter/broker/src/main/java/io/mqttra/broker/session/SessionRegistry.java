package io.mqttra.broker.session;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * All sessions by client identifier. Claiming a session for a new connection and removing an idle one are
 * atomic per client id, so a session that expires while a client reconnects is either resumed or replaced,
 * never both [MQTT-3.1.4-3].
 */
public final class SessionRegistry {

    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();

    /**
     * Returns the session of the client, created by {@code factory} if there is none, and marks it claimed by
     * an attach that is about to be queued on it (so it is not removed before that runs).
     */
    public Session claim(String clientId, Function<String, Session> factory) {
        return sessions.compute(clientId, (id, s) -> {
            Session session = s == null ? factory.apply(id) : s;
            session.pendingAttaches.incrementAndGet();
            return session;
        });
    }

    /** Removes the session if no attach is pending on it; returns true if removed. */
    boolean removeIfIdle(Session session) {
        boolean[] removed = {false};
        sessions.computeIfPresent(session.clientId(), (id, current) -> {
            if (current == session && session.pendingAttaches.get() == 0) {
                removed[0] = true;
                return null;
            }
            return current;
        });
        return removed[0];
    }

    /** Adds a session restored from the store at start-up. */
    public void restore(Session session) {
        sessions.put(session.clientId(), session);
    }

    public Session get(String clientId) {
        return sessions.get(clientId);
    }

    public Collection<Session> all() {
        return sessions.values();
    }

    public int size() {
        return sessions.size();
    }
}
