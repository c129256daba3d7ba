package io.mqttra.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.store.QueuedMessage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A process that writes through the store is killed with SIGKILL part-way; after reopening the database every
 * write whose future had completed (what the broker acknowledges) is there, and each message is queued for both
 * sessions or for none (enqueue is atomic).
 */
class StoreDurabilityTest {

    private static final int KILL_AFTER = 3000;

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void everyCompletedWriteSurvivesAKill9(TestDatabases database) throws Exception {
        killAndCheck(database, database.fresh("durability"));
    }

    /**
     * H2 2.2.224 (Payara's bundled version) failed to reopen after a kill in 2 of 12 runs ("File corrupted ...
     * Double mark"); the store therefore loads its own, newer H2 (see H2Engine). Kill it a few more times.
     */
    @RepeatedTest(4)
    void h2FileSurvivesRepeatedKills() throws Exception {
        killAndCheck(TestDatabases.H2, TestDatabases.H2.fresh("kill"));
    }

    static void killAndCheck(TestDatabases database, StoreSettings settings) throws Exception {
        // The schema exists before the child starts, as after a first broker start.
        JpaStores.open(settings, TestDatabases.THREADS).close();

        Set<Long> queued = new HashSet<>();
        Set<Long> retained = new HashSet<>();
        Set<Long> delivered = new HashSet<>();
        Path log = Path.of("target", "durability-child-" + database + ".log");
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        DurabilityChild.class.getName(),
                        settings.jdbcUrl(),
                        settings.user(),
                        settings.password() == null ? "" : settings.password())
                .redirectError(log.toFile())
                .start();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && queued.size() < KILL_AFTER) {
                if (line.equals("READY")) {
                    continue;
                }
                long id = Long.parseLong(line.substring(2));
                switch (line.charAt(0)) {
                    case 'Q' -> queued.add(id);
                    case 'R' -> retained.add(id);
                    case 'D' -> delivered.add(id);
                    default -> throw new AssertionError("unexpected line from child: " + line);
                }
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close, no flush
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(queued).as("acknowledged before the kill (see %s)", log).hasSizeGreaterThanOrEqualTo(KILL_AFTER);

        JpaStores store = JpaStores.open(settings, TestDatabases.THREADS);
        try {
            Map<Long, QueuedMessage> qos1 = byId(store.messages().loadQueue("sub-qos1"));
            Map<Long, QueuedMessage> qos2 = byId(store.messages().loadQueue("sub-qos2"));
            Set<Long> lost = new HashSet<>(queued);
            lost.removeAll(qos2.keySet());
            assertThat(lost).as("acknowledged messages missing after the kill").isEmpty();
            for (long id : queued) {
                // Copies for the QoS 1 session are removed only for every third id (its delivery completed).
                if (id % 3 != 0 && !qos1.containsKey(id)) {
                    throw new AssertionError("QoS 1 copy of acknowledged message " + id + " lost");
                }
                String payload = new String(qos2.get(id).message().payload(), StandardCharsets.UTF_8);
                assertThat(payload).isEqualTo("message " + id);
            }
            // Atomic enqueue: a message is queued for both sessions, or for the QoS 2 one only once delivered.
            for (long id : qos2.keySet()) {
                if (!qos1.containsKey(id) && id % 3 != 0) {
                    throw new AssertionError("message " + id + " queued for the QoS 2 session only");
                }
            }
            for (long id : qos1.keySet()) {
                if (!qos2.containsKey(id)) {
                    throw new AssertionError("message " + id + " queued for the QoS 1 session only");
                }
            }
            // Completed deliveries are not delivered again; the QoS 2 ones resume with PUBREL, not PUBLISH.
            for (long id : delivered) {
                if (qos1.containsKey(id) || !qos2.get(id).released()) {
                    throw new AssertionError("completed delivery of " + id + " would be repeated");
                }
            }
            Set<String> retainedTopics = store.retained().loadAll().stream()
                    .map(ApplicationMessage::topic)
                    .collect(Collectors.toSet());
            for (long id : retained) {
                assertThat(retainedTopics).contains("retained/" + id);
            }
            System.out.printf(
                    "%s: %d acknowledged before kill -9, %d stored after restart, %d delivered%n",
                    database, queued.size(), qos2.size(), delivered.size());
        } finally {
            store.close();
        }
    }

    private static Map<Long, QueuedMessage> byId(List<QueuedMessage> queue) {
        assertThat(queue).extracting(QueuedMessage::messageId).doesNotHaveDuplicates();
        return queue.stream().collect(Collectors.toMap(QueuedMessage::messageId, Function.identity()));
    }
}
