package io.mqttra.broker.store;

import java.util.Objects;

/**
 * The stores one broker uses. {@link #inMemory()} keeps everything on the heap (lost when the JVM ends);
 * the persistence module provides the JPA implementations.
 */
public record Stores(SessionStore sessions, MessageStore messages, RetainedStore retained) {

    public Stores {
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(retained, "retained");
    }

    public static Stores inMemory() {
        InMemoryMessageStore messages = new InMemoryMessageStore();
        return new Stores(new InMemorySessionStore(messages), messages, new InMemoryRetainedStore());
    }
}
