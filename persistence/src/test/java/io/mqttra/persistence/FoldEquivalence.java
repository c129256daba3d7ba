package io.mqttra.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.store.MessageStore.Reference;
import io.mqttra.broker.store.QueuedMessage;
import io.mqttra.broker.store.StoredSession;
import io.mqttra.broker.store.StoredSubscription;
import io.mqttra.broker.store.Stores;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * Drives a JPA store and the engine's in-memory store with the same random sequence of writes and compares
 * what they load: the group-commit fold must give the state that applying the writes one by one gives.
 */
final class FoldEquivalence {

    private static final List<String> CLIENTS = List.of("a", "b", "c", "d");
    private static final List<String> FILTERS = List.of("x/#", "$share/g/y", "z/+/w");

    private final Random random;
    private final Stores oracle = Stores.inMemory();
    private final Set<String> sessions = new HashSet<>();
    private final List<long[]> queued = new ArrayList<>(); // {clientIndex, messageId}
    private long nextId = 1;

    FoldEquivalence(long seed) {
        this.random = new Random(seed);
    }

    /** Runs {@code n} random writes on both stores; waits for the JPA writes only every so often. */
    void run(Stores jpa, int n) {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pending.add(step(jpa));
            if (random.nextInt(200) == 0) {
                CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                        .join();
                pending.clear();
            }
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
    }

    private CompletableFuture<Void> step(Stores jpa) {
        String c = CLIENTS.get(random.nextInt(CLIENTS.size()));
        int op = random.nextInt(100);
        if (op < 6) {
            sessions.add(c);
            StoredSession s = new StoredSession(
                    c,
                    4 + random.nextInt(2),
                    3600 + random.nextInt(1000),
                    random.nextBoolean() ? null : msg("will/" + c),
                    random.nextInt(5),
                    null,
                    null);
            oracle.sessions().saveSession(s);
            return jpa.sessions().saveSession(s);
        } else if (op < 9) {
            sessions.remove(c);
            oracle.sessions().deleteSession(c);
            return jpa.sessions().deleteSession(c);
        } else if (op < 15) {
            StoredSubscription s = new StoredSubscription(
                    FILTERS.get(random.nextInt(FILTERS.size())),
                    random.nextInt(3),
                    random.nextBoolean(),
                    random.nextBoolean(),
                    random.nextInt(3),
                    random.nextInt(9));
            oracle.sessions().saveSubscription(c, s);
            return jpa.sessions().saveSubscription(c, s);
        } else if (op < 18) {
            String f = FILTERS.get(random.nextInt(FILTERS.size()));
            oracle.sessions().deleteSubscription(c, f);
            return jpa.sessions().deleteSubscription(c, f);
        } else if (op < 24) {
            int p = 1 + random.nextInt(5);
            oracle.sessions().addIncomingQos2(c, p);
            return jpa.sessions().addIncomingQos2(c, p);
        } else if (op < 30) {
            int p = 1 + random.nextInt(5);
            oracle.sessions().releaseIncomingQos2(c, p);
            return jpa.sessions().releaseIncomingQos2(c, p);
        } else if (op < 50) {
            List<Reference> refs = new ArrayList<>();
            for (int k = 0; k < CLIENTS.size(); k++) {
                String target = CLIENTS.get(k);
                if (sessions.contains(target) && random.nextInt(3) > 0) {
                    refs.add(new Reference(
                            target,
                            1 + random.nextInt(2),
                            random.nextBoolean(),
                            random.nextBoolean() ? List.of() : List.of(random.nextInt(9) + 1)));
                    queued.add(new long[] {k, nextId});
                }
            }
            long id = nextId++;
            ApplicationMessage m = msg("t/" + id);
            oracle.messages().enqueue(id, m, refs);
            return jpa.messages().enqueue(id, m, refs);
        } else if (op < 90) {
            long[] target = queued.isEmpty() || random.nextInt(10) == 0
                    ? new long[] {random.nextInt(CLIENTS.size()), 1 + random.nextInt((int) nextId)}
                    : queued.get(random.nextInt(queued.size()));
            String tc = CLIENTS.get((int) target[0]);
            long id = target[1];
            if (op < 65) {
                int p = 1 + random.nextInt(65535);
                oracle.messages().markInFlight(tc, id, p);
                return jpa.messages().markInFlight(tc, id, p);
            } else if (op < 72) {
                oracle.messages().markReleased(tc, id);
                return jpa.messages().markReleased(tc, id);
            }
            queued.remove(target);
            oracle.messages().remove(tc, id);
            return jpa.messages().remove(tc, id);
        } else if (op < 96) {
            ApplicationMessage m = new ApplicationMessage(
                    "r/" + random.nextInt(4),
                    ("v" + random.nextInt(100)).getBytes(StandardCharsets.UTF_8),
                    random.nextInt(3),
                    true,
                    null);
            oracle.retained().put(m);
            return jpa.retained().put(m);
        }
        String topic = "r/" + random.nextInt(4);
        oracle.retained().remove(topic);
        return jpa.retained().remove(topic);
    }

    private ApplicationMessage msg(String topic) {
        return new ApplicationMessage(
                topic,
                ("p" + random.nextInt()).getBytes(StandardCharsets.UTF_8),
                random.nextInt(3),
                random.nextBoolean(),
                null);
    }

    /** Asserts that both stores load the same sessions, queues and retained messages. */
    void assertSameState(Stores jpa) {
        assertThat(describeSessions(jpa)).isEqualTo(describeSessions(oracle));
        for (String c : CLIENTS) {
            if (sessions.contains(c)) {
                assertThat(describeQueue(jpa, c)).as("queue of %s", c).isEqualTo(describeQueue(oracle, c));
            }
        }
        assertThat(describeRetained(jpa)).isEqualTo(describeRetained(oracle));
    }

    private static List<String> describeSessions(Stores s) {
        return s.sessions().loadSessions().stream()
                .sorted(Comparator.comparing(StoredSession::clientId))
                .map(x -> x.clientId() + " v" + x.protocolLevel() + " e" + x.expiryIntervalSeconds()
                        + " d" + x.willDelaySeconds() + " will=" + describe(x.will())
                        + " subs="
                        + new TreeMap<>(x.subscriptions().stream()
                                .collect(Collectors.toMap(StoredSubscription::filter, StoredSubscription::toString)))
                        + " qos2="
                        + new TreeMap<>(x.incomingQos2().stream().collect(Collectors.toMap(i -> i, i -> i))).keySet())
                .toList();
    }

    private static List<String> describeQueue(Stores s, String clientId) {
        return s.messages().loadQueue(clientId).stream()
                .map(q -> q.messageId() + " q" + q.qos() + " r" + q.retain() + " ids" + q.subscriptionIdentifiers()
                        + " p" + q.packetId() + " rel" + q.released() + " " + describe(q.message()))
                .toList();
    }

    private static Map<String, String> describeRetained(Stores s) {
        Map<String, String> out = new TreeMap<>();
        s.retained().loadAll().forEach(m -> out.put(m.topic(), describe(m)));
        return out;
    }

    private static String describe(ApplicationMessage m) {
        return m == null
                ? "-"
                : m.topic() + "/" + new String(m.payload(), StandardCharsets.UTF_8) + "/q" + m.qos() + "/r"
                        + m.retain();
    }

    @SuppressWarnings("unused")
    private static String describe(QueuedMessage q) {
        return q.toString();
    }
}
