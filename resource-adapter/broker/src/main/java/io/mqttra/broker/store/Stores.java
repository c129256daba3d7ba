package io.mqttra.broker.store;

import java.util.Objects;

/**
 * The stores one broker uses. {@link #inMemory()} keeps everything on the heap (lost when the JVM ends);
 * the persistence module provides the JPA implementations.
 *
 * @param commits where a durable store records its commits, for the broker's metrics
 */
public record Stores(SessionStore sessions, MessageStore messages, RetainedStore retained, CommitStatistics commits) {

    public Stores {
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(retained, "retained");
        Objects.requireNonNull(commits, "commits");
    }

    /** Stores that do not report commits (their figures stay 0). */
    public Stores(SessionStore sessions, MessageStore messages, RetainedStore retained) {
        this(sessions, messages, retained, new CommitStatistics());
    }

    public static Stores inMemory() {
        InMemoryMessageStore messages = new InMemoryMessageStore();
        return new Stores(new InMemorySessionStore(messages), messages, new InMemoryRetainedStore());
    }
}
