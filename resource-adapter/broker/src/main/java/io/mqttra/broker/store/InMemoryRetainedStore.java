package io.mqttra.broker.store;

import io.mqttra.broker.ApplicationMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** Retained messages on the heap. */
public final class InMemoryRetainedStore implements RetainedStore {

    private final ConcurrentHashMap<String, ApplicationMessage> byTopic = new ConcurrentHashMap<>();

    @Override
    public List<ApplicationMessage> loadAll() {
        return new ArrayList<>(byTopic.values());
    }

    @Override
    public CompletableFuture<Void> put(ApplicationMessage message) {
        byTopic.put(message.topic(), message);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> remove(String topic) {
        byTopic.remove(topic);
        return CompletableFuture.completedFuture(null);
    }
}
