package io.mqttra.benchmarks;

import io.mqttra.benchmarks.PersistentSessionScenario.PhaseFigures;
import io.mqttra.broker.MqttBroker;
import io.mqttra.broker.config.BrokerConfig;
import io.mqttra.persistence.JpaStores;
import java.nio.file.Path;
import java.util.List;

/**
 * The broker engine with the JPA store, end to end: the engine runs in this JVM on a free loopback port, with the
 * store the RAR would give it, and {@link PersistentSessionScenario} drives it over MQTT (publisher → broker →
 * offline persistent sessions, PUBACK only after the commit: the engine's durability rule for [MQTT-4.3.2-2]; then the
 * resumed sessions drain with the loss and duplicate check). Broker, database and clients share this JVM, so the
 * CPU figure covers all three.
 */
final class EngineWithStore {

    private final StoreDatabase database;
    private final Path dir;

    EngineWithStore(StoreDatabase database, Path dir) {
        this.database = database;
        this.dir = dir;
    }

    /** @param publishers see {@link PersistentSessionScenario#PersistentSessionScenario(int, PhaseFigures)} */
    List<Result> run(Settings settings, int publishers, int queueLimit) throws Exception {
        try (JpaStores store = JpaStores.open(database.fresh(dir), StoreDatabase.THREADS)) {
            // The queue limit is raised so that the run measures the store, not the drop policy of a full queue.
            MqttBroker broker = new MqttBroker(
                    BrokerConfig.builder()
                            .bindAddress("127.0.0.1")
                            .port(0)
                            .maxQueuedMessages(queueLimit)
                            .build(),
                    null,
                    store.stores());
            broker.start();
            try {
                Target target = new Target(
                        "engine + " + database.label(),
                        "127.0.0.1",
                        broker.port(),
                        ProcessHandle.current().pid());
                PersistentSessionScenario scenario = new PersistentSessionScenario(publishers, () -> {
                    StoreThroughput.CommitCounter commits = StoreThroughput.CommitCounter.of(store);
                    return () -> {
                        // The last removes of a drain are committed just after the last delivery arrives.
                        for (int i = 0; i < 100 && store.backlog() > 0; i++) {
                            Deliveries.sleep(10);
                        }
                        return "; " + commits.since();
                    };
                });
                return scenario.run(target, settings);
            } finally {
                broker.stop();
            }
        }
    }
}
