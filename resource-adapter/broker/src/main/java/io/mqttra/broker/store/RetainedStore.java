package io.mqttra.broker.store;

import io.mqttra.broker.ApplicationMessage;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The retained message of each topic. See the package documentation for the rules every write follows. */
public interface RetainedStore {

    /** Every retained message; called once when the broker starts. */
    List<ApplicationMessage> loadAll();

    /** Stores the message as the retained message of its topic, replacing the previous one. */
    CompletableFuture<Void> put(ApplicationMessage message);

    /** Deletes the retained message of a topic. */
    CompletableFuture<Void> remove(String topic);
}
