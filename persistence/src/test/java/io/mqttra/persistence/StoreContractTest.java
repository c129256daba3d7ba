package io.mqttra.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttra.api.PublishProperties;
import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.store.Acknowledgement;
import io.mqttra.broker.store.CommitStatistics;
import io.mqttra.broker.store.MessageStore.Reference;
import io.mqttra.broker.store.QueuedMessage;
import io.mqttra.broker.store.StoredSession;
import io.mqttra.broker.store.StoredSubscription;
import io.mqttra.broker.store.TransactionId;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Every store SPI method against a real database; subclasses pick the database. */
abstract class StoreContractTest {

    static final long NEVER = 0xFFFF_FFFFL;

    abstract TestDatabases database();

    StoreSettings settings;
    JpaStores store;

    @BeforeEach
    void open(TestInfo info) {
        settings = database().fresh(info.getTestMethod().orElseThrow().getName());
        store = JpaStores.open(settings, TestDatabases.THREADS);
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    void reopen() {
        store.close();
        store = JpaStores.open(settings, TestDatabases.THREADS);
    }

    static ApplicationMessage message(String topic, String payload, int qos) {
        return new ApplicationMessage(topic, payload.getBytes(StandardCharsets.UTF_8), qos, false, null);
    }

    static StoredSession session(String clientId, ApplicationMessage will) {
        return new StoredSession(clientId, 5, 3600, will, 10, null, null);
    }

    static void await(CompletableFuture<?>... writes) {
        CompletableFuture.allOf(writes).join();
    }

    @Test
    void sessionWithWillSubscriptionsAndQos2IdsSurvivesRestart() {
        PublishProperties props = PublishProperties.builder()
                .payloadUtf8(true)
                .messageExpiryInterval(600)
                .contentType("text/plain")
                .responseTopic("reply/here")
                .correlationData(new byte[] {1, 2, 3})
                .userProperty("k", "v1")
                .userProperty("k", "v2 ünïcode")
                .build();
        ApplicationMessage will = new ApplicationMessage("clients/c1/status", "gone".getBytes(), 1, true, props);
        var s = store.sessions();
        await(
                s.saveSession(session("c1", will)),
                s.saveSubscription("c1", new StoredSubscription("house/+/light", 2, true, true, 1, 42)),
                s.saveSubscription("c1", new StoredSubscription("$share/g/sensors/#", 1, false, false, 0, 0)),
                s.saveSubscription("c1", new StoredSubscription("tmp/x", 0, false, false, 0, 0)),
                s.deleteSubscription("c1", "tmp/x"),
                s.addIncomingQos2("c1", 1),
                s.addIncomingQos2("c1", 7),
                s.addIncomingQos2("c1", 9),
                s.releaseIncomingQos2("c1", 7),
                s.saveSession(new StoredSession("c2", 4, NEVER, null, 0, null, null)));
        reopen();

        List<StoredSession> loaded = store.sessions().loadSessions();
        assertThat(loaded).extracting(StoredSession::clientId).containsExactly("c1", "c2");
        StoredSession c1 = loaded.get(0);
        assertThat(c1.protocolLevel()).isEqualTo(5);
        assertThat(c1.expiryIntervalSeconds()).isEqualTo(3600);
        assertThat(c1.willDelaySeconds()).isEqualTo(10);
        assertThat(c1.subscriptions())
                .containsExactlyInAnyOrder(
                        new StoredSubscription("house/+/light", 2, true, true, 1, 42),
                        new StoredSubscription("$share/g/sensors/#", 1, false, false, 0, 0));
        assertThat(c1.incomingQos2()).containsExactlyInAnyOrder(1, 9);
        ApplicationMessage w = c1.will();
        assertThat(w.topic()).isEqualTo("clients/c1/status");
        assertThat(w.payload()).isEqualTo("gone".getBytes());
        assertThat(w.qos()).isEqualTo(1);
        assertThat(w.retain()).isTrue();
        assertThat(w.properties().payloadUtf8()).isTrue();
        assertThat(w.properties().messageExpiryInterval()).isEqualTo(600);
        assertThat(w.properties().contentType()).isEqualTo("text/plain");
        assertThat(w.properties().responseTopic()).isEqualTo("reply/here");
        assertThat(w.properties().correlationData()).containsExactly(1, 2, 3);
        assertThat(w.properties().userProperties())
                .containsExactly(
                        new PublishProperties.UserProperty("k", "v1"),
                        new PublishProperties.UserProperty("k", "v2 ünïcode"));
        StoredSession c2 = loaded.get(1);
        assertThat(c2.will()).isNull();
        assertThat(c2.expiryIntervalSeconds()).isEqualTo(NEVER);
        assertThat(c2.subscriptions()).isEmpty();
    }

    @Test
    void writesForAClientWithoutSessionAreNoOps() {
        var s = store.sessions();
        await(
                s.saveSubscription("ghost", new StoredSubscription("a", 1, false, false, 0, 0)),
                s.addIncomingQos2("ghost", 3),
                s.deleteSubscription("ghost", "a"),
                s.releaseIncomingQos2("ghost", 3),
                s.deleteSession("ghost"),
                store.messages().markInFlight("ghost", 5, 1),
                store.messages().remove("ghost", 5),
                store.retained().remove("no/such/topic"));
        await(s.saveSession(session("ghost", null)));
        assertThat(s.loadSessions()).singleElement().satisfies(g -> {
            assertThat(g.subscriptions()).isEmpty();
            assertThat(g.incomingQos2()).isEmpty();
        });
    }

    @Test
    void messageQueuedForManySessionsIsStoredOnceAndDeletedWithItsLastReference() {
        for (String c : List.of("a", "b", "c")) {
            await(store.sessions().saveSession(session(c, null)));
        }
        var m = store.messages();
        await(m.enqueue(
                1,
                message("t", "x", 1),
                List.of(
                        new Reference("a", 1, false, null),
                        new Reference("b", 1, true, List.of(3, 4)),
                        new Reference("c", 0, false, null))));
        assertThat(m.storedMessageCount()).isEqualTo(1);
        assertThat(m.queueEntryCount()).isEqualTo(3);

        await(m.remove("a", 1), m.remove("c", 1));
        assertThat(m.storedMessageCount()).isEqualTo(1);
        assertThat(m.loadQueue("b")).singleElement().satisfies(q -> {
            assertThat(q.retain()).isTrue();
            assertThat(q.subscriptionIdentifiers()).containsExactly(3, 4);
        });
        await(m.remove("b", 1));
        assertThat(m.storedMessageCount()).isZero();
        assertThat(m.queueEntryCount()).isZero();
    }

    @Test
    void queueLoadsInFlightFirstWithPacketIdsAndQos2StateAfterRestart() {
        await(store.sessions().saveSession(session("a", null)));
        var m = store.messages();
        for (long id = 1; id <= 4; id++) {
            m.enqueue(id, message("t/" + id, "p" + id, 2), List.of(new Reference("a", 2, false, null)));
        }
        await(m.markInFlight("a", 3, 100), m.markInFlight("a", 1, 101), m.markReleased("a", 3));
        reopen();

        List<QueuedMessage> q = store.messages().loadQueue("a");
        assertThat(q).extracting(QueuedMessage::messageId).containsExactly(1L, 3L, 2L, 4L);
        assertThat(q).extracting(QueuedMessage::packetId).containsExactly(101, 100, 0, 0);
        assertThat(q).extracting(QueuedMessage::released).containsExactly(false, true, false, false);
        assertThat(q.get(2).message().topic()).isEqualTo("t/2");
        assertThat(new String(q.get(3).message().payload(), StandardCharsets.UTF_8))
                .isEqualTo("p4");
        assertThat(q.get(0).qos()).isEqualTo(2);
    }

    @Test
    void deleteSessionRemovesSubscriptionsQueueAndMessagesOnlyItReferenced() {
        await(store.sessions().saveSession(session("a", null)), store.sessions().saveSession(session("b", null)));
        var m = store.messages();
        await(
                store.sessions().saveSubscription("a", new StoredSubscription("x/#", 1, false, false, 0, 0)),
                store.sessions().addIncomingQos2("a", 5),
                m.enqueue(1, message("x/1", "only a", 1), List.of(new Reference("a", 1, false, null))),
                m.enqueue(
                        2,
                        message("x/2", "a and b", 1),
                        List.of(new Reference("a", 1, false, null), new Reference("b", 1, false, null))));
        await(store.sessions().deleteSession("a"));

        assertThat(store.sessions().loadSessions())
                .extracting(StoredSession::clientId)
                .containsExactly("b");
        assertThat(m.loadQueue("a")).isEmpty();
        assertThat(m.loadQueue("b")).extracting(QueuedMessage::messageId).containsExactly(2L);
        assertThat(m.storedMessageCount()).isEqualTo(1);

        await(store.sessions().saveSession(session("a", null)));
        assertThat(store.sessions().loadSessions())
                .filteredOn(s -> s.clientId().equals("a"))
                .singleElement()
                .satisfies(a -> {
                    assertThat(a.subscriptions()).isEmpty();
                    assertThat(a.incomingQos2()).isEmpty();
                });
    }

    @Test
    void enqueueAndRemoveInOneBatchLeaveNothingBehind() {
        await(store.sessions().saveSession(session("a", null)));
        var m = store.messages();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (long id = 1; id <= 2000; id++) {
            writes.add(m.enqueue(id, message("t", "x", 1), List.of(new Reference("a", 1, false, null))));
            writes.add(m.markInFlight("a", id, (int) (id % 65535) + 1));
            writes.add(m.remove("a", id));
        }
        await(writes.toArray(CompletableFuture[]::new));
        assertThat(m.queueEntryCount()).isZero();
        assertThat(m.storedMessageCount()).isZero();
    }

    /**
     * A session that ends reads its stored queue to hand it on to its shared groups, then deletes itself: in one
     * batch, the read sees the enqueues called before it and not the delete called after it.
     */
    @Test
    void loadWaitingSeesTheWritesCalledBeforeItAndNoneAfter() {
        store.close();
        CompletableFuture<Runnable> writerLoop = new CompletableFuture<>();
        store = JpaStores.open(settings, writerLoop::complete); // the writer waits, so all below is one batch
        var m = store.messages();
        store.sessions().saveSession(session("a", null));
        List<Long> ids = new ArrayList<>();
        for (long id = 1; id <= 100; id++) {
            m.enqueue(id, message("t", "p" + id, 1), List.of(new Reference("a", 1, false, null)));
            ids.add(id);
        }
        CompletableFuture<List<QueuedMessage>> read = m.loadWaiting("a", 0, Set.of(), 1000);
        CompletableFuture<Void> delete = store.sessions().deleteSession("a");
        TestDatabases.THREADS.execute(writerLoop.join());

        assertThat(read.join()).extracting(QueuedMessage::messageId).containsExactlyElementsOf(ids);
        delete.join();
        assertThat(m.loadQueue("a")).isEmpty();
        assertThat(m.storedMessageCount()).isZero();
    }

    @Test
    void retainedMessagesReplaceDeleteAndSurviveRestart() {
        var r = store.retained();
        await(
                r.put(message("a/1", "first", 1)),
                r.put(message("a/1", "second", 0)),
                r.put(message("a/2", "x", 2)),
                r.put(message("a/3", "y", 1)),
                r.remove("a/3"));
        reopen();
        List<ApplicationMessage> all = new ArrayList<>(store.retained().loadAll());
        all.sort((x, y) -> x.topic().compareTo(y.topic()));
        assertThat(all).extracting(ApplicationMessage::topic).containsExactly("a/1", "a/2");
        assertThat(new String(all.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("second");
        assertThat(all.get(0).qos()).isZero();
        assertThat(all.get(1).qos()).isEqualTo(2);
    }

    @Test
    void futuresCompleteInCallOrder() {
        await(store.sessions().saveSession(session("a", null)));
        List<Integer> completed = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            int n = i;
            CompletableFuture<Void> w = switch (i % 3) {
                case 0 ->
                    store.messages().enqueue(i, message("t", "x", 1), List.of(new Reference("a", 1, false, null)));
                case 1 -> store.messages().markInFlight("a", i - 1, 7);
                default -> store.retained().put(message("r/" + (i % 10), "v" + i, 1));
            };
            writes.add(w.thenRun(() -> completed.add(n)));
        }
        await(writes.toArray(CompletableFuture[]::new));
        assertThat(completed).hasSize(3000).isSorted();
        assertThat(store.committedBatches()).isLessThan(3000); // they were grouped
    }

    /** The engine's metrics see each group commit of the writer, with its size and how long it took. */
    @Test
    void everyCommitIsReportedWithItsWritesAndDuration() {
        CommitStatistics commits = store.stores().commits();
        assertThat(commits.commits()).isZero();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            writes.add(store.retained().put(message("r/" + i, "v" + i, 1)));
        }
        await(writes.toArray(CompletableFuture[]::new));

        assertThat(commits.commits()).isPositive().isEqualTo(store.committedBatches());
        assertThat(commits.writes()).isEqualTo(store.committedWrites()).isGreaterThanOrEqualTo(500);
        assertThat(commits.maxNanos()).isPositive();
        assertThat(commits.lastNanos()).isPositive().isLessThanOrEqualTo(commits.maxNanos());
        assertThat(commits.totalNanos()).isGreaterThanOrEqualTo(commits.maxNanos());
    }

    @Test
    void maxMessageIdCoversStoredMessages() {
        assertThat(store.messages().maxMessageId()).isZero();
        await(store.sessions().saveSession(session("a", null)));
        await(
                store.messages().enqueue(1L << 40, message("t", "x", 1), List.of(new Reference("a", 1, false, null))),
                store.messages().enqueue(5, message("t", "x", 1), List.of(new Reference("a", 1, false, null))));
        reopen();
        assertThat(store.messages().maxMessageId()).isEqualTo(1L << 40);
    }

    @Test
    void expiredSessionsMessagesAndRetainedAreRemovedInTheBackground() throws Exception {
        settings = settings.withCleanupInterval(Duration.ofMillis(200));
        reopen();
        PublishProperties expiresIn1s =
                PublishProperties.builder().messageExpiryInterval(1).build();
        var s = store.sessions();
        var m = store.messages();
        long now = System.currentTimeMillis();
        await(
                s.saveSession(new StoredSession("short", 5, 1, null, 0, null, null)),
                s.saveSubscription("short", new StoredSubscription("a", 1, false, false, 0, 0)),
                s.saveSession(new StoredSession("forever", 5, NEVER, null, 0, null, null)),
                s.saveSession(new StoredSession("connected", 5, 1, null, 0, null, null)),
                m.enqueue(1, message("a", "for short", 1), List.of(new Reference("short", 1, false, null))),
                m.enqueue(
                        2,
                        new ApplicationMessage("b", new byte[1], 1, false, expiresIn1s),
                        List.of(new Reference("forever", 1, false, null), new Reference("connected", 1, false, null))),
                m.enqueue(
                        3,
                        new ApplicationMessage("b", new byte[1], 1, false, expiresIn1s),
                        List.of(new Reference("forever", 1, false, null))),
                m.markInFlight("forever", 3, 9), // delivery started: must complete even after expiry
                m.enqueue(4, message("c", "stays", 1), List.of(new Reference("forever", 1, false, null))),
                store.retained().put(new ApplicationMessage("r/exp", new byte[1], 1, true, expiresIn1s)),
                store.retained().put(message("r/keep", "k", 1)),
                s.sessionDisconnected("short", now - 5_000),
                s.sessionDisconnected("forever", now - 5_000));

        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline && m.storedMessageCount() != 2) {
            Thread.sleep(100);
        }
        assertThat(s.loadSessions()).extracting(StoredSession::clientId).containsExactly("connected", "forever");
        assertThat(m.loadQueue("forever")).extracting(QueuedMessage::messageId).containsExactly(3L, 4L);
        assertThat(m.loadQueue("connected")).isEmpty();
        assertThat(m.storedMessageCount()).isEqualTo(2);
        assertThat(store.retained().loadAll())
                .extracting(ApplicationMessage::topic)
                .containsExactly("r/keep");
    }

    @Test
    void expiredMessagesAreNotLoadedAndRemainingExpiryIsLowered() throws Exception {
        await(store.sessions().saveSession(session("a", null)));
        await(
                store.messages()
                        .enqueue(
                                1,
                                new ApplicationMessage(
                                        "t",
                                        new byte[1],
                                        1,
                                        false,
                                        PublishProperties.builder()
                                                .messageExpiryInterval(1)
                                                .build()),
                                List.of(new Reference("a", 1, false, null))),
                store.messages()
                        .enqueue(
                                2,
                                new ApplicationMessage(
                                        "t",
                                        new byte[1],
                                        1,
                                        false,
                                        PublishProperties.builder()
                                                .messageExpiryInterval(1000)
                                                .build()),
                                List.of(new Reference("a", 1, false, null))));
        Thread.sleep(2100);
        List<QueuedMessage> q = store.messages().loadQueue("a");
        assertThat(q).extracting(QueuedMessage::messageId).containsExactly(2L); // [MQTT-3.3.2-5]
        assertThat(q.get(0).message().properties().messageExpiryInterval()).isBetween(990L, 998L); // [MQTT-3.3.2-6]
    }

    @Test
    void steadyPublishAndAckLoadKeepsTheDatabaseBounded() {
        settings = settings.withCleanupInterval(Duration.ofMillis(100));
        reopen();
        await(store.sessions().saveSession(session("a", null)), store.sessions().saveSession(session("b", null)));
        var m = store.messages();
        long id = 0;
        for (int round = 0; round < 10; round++) {
            List<CompletableFuture<Void>> enqueued = new ArrayList<>();
            long first = id + 1;
            for (int i = 0; i < 500; i++) {
                id++;
                enqueued.add(m.enqueue(
                        id,
                        message("t", "payload " + id, 1),
                        List.of(new Reference("a", 1, false, null), new Reference("b", 1, false, null))));
            }
            await(enqueued.toArray(CompletableFuture[]::new)); // durable, then "sent" and "acknowledged"
            List<CompletableFuture<Void>> acks = new ArrayList<>();
            for (long k = first; k <= id; k++) {
                acks.add(m.markInFlight("a", k, (int) (k % 65535) + 1));
                acks.add(m.markInFlight("b", k, (int) (k % 65535) + 1));
                acks.add(m.remove("a", k));
                acks.add(m.remove("b", k));
            }
            await(acks.toArray(CompletableFuture[]::new));
            assertThat(m.queueEntryCount())
                    .as("queue entries after round %d", round)
                    .isZero();
            assertThat(m.storedMessageCount())
                    .as("messages after round %d", round)
                    .isZero();
        }
    }

    @Test
    void newerSchemaVersionIsRefusedWithAClearMessage() throws Exception {
        store.close();
        store = null;
        setSchemaVersion(99);
        assertThatThrownBy(() -> JpaStores.open(settings, TestDatabases.THREADS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("schema version 99")
                .hasMessageContaining("refusing to start");
        setSchemaVersion(SchemaVersion.CURRENT);
        store = JpaStores.open(settings, TestDatabases.THREADS);
        assertThat(store.sessions().loadSessions()).isEmpty();
    }

    private void setSchemaVersion(int v) throws Exception {
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("UPDATE MQTT_SCHEMA_VERSION SET VERSION = " + v))
                    .isEqualTo(1);
        }
    }

    @Test
    void groupCommitGivesTheSameStateAsWritingOneByOne() {
        for (long seed = 1; seed <= 3; seed++) {
            FoldEquivalence run = new FoldEquivalence(seed);
            run.run(store.stores(), 3000);
            run.assertSameState(store.stores());
            reopen();
            run.assertSameState(store.stores());
            run.run(store.stores(), 1000);
            run.assertSameState(store.stores());
            store.close();
            settings = database().fresh("fold" + seed);
            store = JpaStores.open(settings, TestDatabases.THREADS);
        }
    }

    @Test
    void incomingQos2IdsAreKeptPerSession() {
        var s = store.sessions();
        await(
                s.saveSession(session("a", null)),
                s.saveSession(session("b", null)),
                s.addIncomingQos2("a", 1),
                s.addIncomingQos2("b", 1),
                s.releaseIncomingQos2("a", 1),
                s.addIncomingQos2("a", 2));
        assertThat(s.loadSessions()).extracting(StoredSession::incomingQos2).containsExactly(Set.of(2), Set.of(1));
    }

    /** [MQTT-4.3.3-9]: the QoS 2 message and the publisher's packet id are durable together, or neither is. */
    @Test
    void qos2MessageAndPublisherReceiptAreWrittenInOneCommit() {
        await(
                store.sessions().saveSession(session("publisher", null)),
                store.sessions().saveSession(session("sub", null)));
        await(store.messages()
                .enqueueWithReceipt(
                        7, message("t", "once", 2), List.of(new Reference("sub", 2, false, null)), "publisher", 42));
        reopen();
        assertThat(store.sessions().loadSessions())
                .filteredOn(x -> x.clientId().equals("publisher"))
                .singleElement()
                .satisfies(p -> assertThat(p.incomingQos2()).containsExactly(42));
        assertThat(store.messages().loadQueue("sub"))
                .singleElement()
                .satisfies(q -> assertThat(q.messageId()).isEqualTo(7));
    }

    /** The count a redelivery limit relies on after a crash: folded into the insert or added to the stored row. */
    @Test
    void deliveryCountsAddUpAcrossBatchesAndSurviveRestart() {
        var m = store.messages();
        await(store.sessions().saveSession(session("mdb", null)));
        await(
                m.enqueue(1, message("t", "poison", 1), List.of(new Reference("mdb", 1, false, null))),
                m.countDelivery("mdb", 1));
        await(m.markInFlight("mdb", 1, 5), m.countDelivery("mdb", 1));
        await(m.countDelivery("mdb", 1));
        reopen();
        assertThat(store.messages().loadQueue("mdb")).singleElement().satisfies(q -> {
            assertThat(q.deliveryCount()).isEqualTo(3);
            assertThat(q.packetId()).isEqualTo(5);
        });
        await(store.messages().countDelivery("mdb", 99), store.messages().countDelivery("nobody", 1));
        await(store.messages().remove("mdb", 1), store.messages().countDelivery("mdb", 1));
        assertThat(store.messages().loadQueue("mdb")).isEmpty();
    }

    /** Rows written before the column existed read as never delivered, and count up from there. */
    @Test
    void aStoreFromBeforeDeliveryCountsGetsTheColumnAndCountsFromZero() throws Exception {
        await(store.sessions().saveSession(session("mdb", null)));
        await(store.messages().enqueue(1, message("t", "old", 1), List.of(new Reference("mdb", 1, false, null))));
        store.close();
        store = null;
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            s.executeUpdate("ALTER TABLE MQTT_QUEUE_ENTRY DROP COLUMN DELIVERY_COUNT");
        }
        store = JpaStores.open(settings, TestDatabases.THREADS);
        assertThat(store.messages().loadQueue("mdb"))
                .singleElement()
                .satisfies(q -> assertThat(q.deliveryCount()).isZero());
        await(store.messages().countDelivery("mdb", 1));
        reopen();
        assertThat(store.messages().loadQueue("mdb"))
                .singleElement()
                .satisfies(q -> assertThat(q.deliveryCount()).isEqualTo(1));
    }

    /**
     * A store of schema version 2 (queue row key (CLIENT_ID, MESSAGE_ID) plus an index on MESSAGE_ID) is migrated
     * when opened: its queues stay as they were, and it ends with the key led by MESSAGE_ID and without the index.
     */
    @Test
    void aVersion2StoreGetsTheMessageFirstQueueKeyAndKeepsItsQueues() throws Exception {
        var m = store.messages();
        await(store.sessions().saveSession(session("a", null)), store.sessions().saveSession(session("b", null)));
        await(
                m.enqueue(
                        1,
                        message("t/1", "both", 1),
                        List.of(new Reference("a", 1, false, null), new Reference("b", 1, true, List.of(7)))),
                m.enqueue(2, message("t/2", "a only", 1), List.of(new Reference("a", 1, false, null))),
                m.enqueue(3, message("t/3", "b only", 2), List.of(new Reference("b", 2, false, null))));
        await(m.markInFlight("a", 1, 17), m.countDelivery("a", 1), m.markInFlight("b", 3, 18), m.markReleased("b", 3));
        List<QueuedMessage> queueA = m.loadQueue("a");
        List<QueuedMessage> queueB = m.loadQueue("b");
        store.close();
        store = null;
        assertThat(queueKey()).as("key of a new store").containsExactly("MESSAGE_ID", "CLIENT_ID");
        assertThat(hasMessageIdIndex()).as("MESSAGE_ID index of a new store").isFalse();

        downgradeQueueKeyToVersion2(true);
        assertThat(queueKey()).as("key of the version 2 store").containsExactly("CLIENT_ID", "MESSAGE_ID");
        assertThat(hasMessageIdIndex())
                .as("MESSAGE_ID index of the version 2 store")
                .isTrue();

        // Opened to migrate, closed again to look: an open H2 file admits no second connection.
        JpaStores.open(settings, TestDatabases.THREADS).close();
        assertThat(queueKey()).as("key after the migration").containsExactly("MESSAGE_ID", "CLIENT_ID");
        assertThat(hasMessageIdIndex())
                .as("MESSAGE_ID index after the migration")
                .isFalse();
        assertThat(schemaVersion()).isEqualTo(SchemaVersion.CURRENT);
        store = JpaStores.open(settings, TestDatabases.THREADS);
        // A waiting message is loaded as of now (its expiry counts from the load), so its time is not compared.
        assertThat(store.messages().loadQueue("a"))
                .usingRecursiveFieldByFieldElementComparatorIgnoringFields("receivedAtMillis")
                .containsExactlyElementsOf(queueA);
        assertThat(store.messages().loadQueue("b"))
                .usingRecursiveFieldByFieldElementComparatorIgnoringFields("receivedAtMillis")
                .containsExactlyElementsOf(queueB);
        // Writes by the new key: a message goes with its last reference, not before.
        await(store.messages().remove("a", 1), store.messages().remove("a", 2));
        assertThat(store.messages().storedMessageCount()).isEqualTo(2);
        await(store.messages().remove("b", 1));
        reopen();
        assertThat(store.messages().storedMessageCount()).isEqualTo(1);
        assertThat(store.messages().loadQueue("b"))
                .extracting(QueuedMessage::messageId)
                .containsExactly(3L);
    }

    /** On H2 each DDL statement commits by itself: a start stopped after the old key was dropped is completed. */
    @Test
    void aQueueKeyMigrationInterruptedAfterDroppingTheOldKeyIsCompleted() throws Exception {
        await(store.sessions().saveSession(session("a", null)));
        await(store.messages().enqueue(1, message("t", "kept", 1), List.of(new Reference("a", 1, false, null))));
        store.close();
        store = null;
        downgradeQueueKeyToVersion2(false);
        assertThat(queueKey()).isEmpty();
        JpaStores.open(settings, TestDatabases.THREADS).close();
        assertThat(queueKey()).containsExactly("MESSAGE_ID", "CLIENT_ID");
        store = JpaStores.open(settings, TestDatabases.THREADS);
        assertThat(store.messages().loadQueue("a"))
                .extracting(QueuedMessage::messageId)
                .containsExactly(1L);
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection(settings.jdbcUrl(), settings.user(), settings.password());
    }

    /** Gives the queue table version 2's key and MESSAGE_ID index (with {@code oldKey}), or no key at all. */
    private void downgradeQueueKeyToVersion2(boolean oldKey) throws Exception {
        String pkName;
        try (Connection c = connect();
                ResultSet rs = c.getMetaData().getPrimaryKeys(null, null, queueTable(c))) {
            assertThat(rs.next()).isTrue();
            pkName = rs.getString("PK_NAME");
        }
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            s.executeUpdate("ALTER TABLE MQTT_QUEUE_ENTRY DROP CONSTRAINT \"" + pkName + "\"");
            if (oldKey) {
                s.executeUpdate("ALTER TABLE MQTT_QUEUE_ENTRY ADD PRIMARY KEY (CLIENT_ID, MESSAGE_ID)");
                s.executeUpdate("CREATE INDEX MQTT_QUEUE_ENTRY_MESSAGE ON MQTT_QUEUE_ENTRY (MESSAGE_ID)");
            }
            assertThat(s.executeUpdate("UPDATE MQTT_SCHEMA_VERSION SET VERSION = 2"))
                    .isEqualTo(1);
        }
    }

    /** The queue table's primary key columns in key order, upper case. */
    private List<String> queueKey() throws Exception {
        try (Connection c = connect();
                ResultSet rs = c.getMetaData().getPrimaryKeys(null, null, queueTable(c))) {
            Map<Short, String> columns = new TreeMap<>();
            while (rs.next()) {
                columns.put(rs.getShort("KEY_SEQ"), rs.getString("COLUMN_NAME").toUpperCase(Locale.ROOT));
            }
            return List.copyOf(columns.values());
        }
    }

    private boolean hasMessageIdIndex() throws Exception {
        try (Connection c = connect();
                ResultSet rs = c.getMetaData().getIndexInfo(null, null, queueTable(c), false, false)) {
            while (rs.next()) {
                if ("MQTT_QUEUE_ENTRY_MESSAGE".equalsIgnoreCase(rs.getString("INDEX_NAME"))) {
                    return true;
                }
            }
            return false;
        }
    }

    /** H2 keeps unquoted names in upper case, PostgreSQL in lower case. */
    private static String queueTable(Connection c) throws Exception {
        return c.getMetaData().storesLowerCaseIdentifiers() ? "mqtt_queue_entry" : "MQTT_QUEUE_ENTRY";
    }

    private int schemaVersion() throws Exception {
        try (Connection c = connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT VERSION FROM MQTT_SCHEMA_VERSION")) {
            assertThat(rs.next()).isTrue();
            return rs.getInt(1);
        }
    }

    /**
     * A committed branch's message leaves its prepared record in the commit that queues its copies, so a commit
     * replayed after a crash finds only the messages not routed yet.
     */
    @Test
    void aRoutedPreparedMessageLeavesThePreparedRecordInTheSameCommitAsItsCopies() {
        TransactionId xid = new TransactionId(7, new byte[] {1, 2, 3}, new byte[] {4});
        await(store.sessions().saveSession(session("sub", null)));
        await(store.transactions()
                .prepare(
                        xid,
                        List.of(message("a", "0", 1), message("b", "1", 1), message("c", "2", 1)),
                        List.of(new Acknowledgement("mdb", 9L))));
        await(store.messages()
                .enqueuePrepared(11, message("b", "1", 1), List.of(new Reference("sub", 1, false, null)), xid, 1));
        await(store.messages().enqueuePrepared(12, message("c", "2", 1), List.of(), xid, 2));
        reopen();
        assertThat(store.messages().loadQueue("sub"))
                .extracting(QueuedMessage::messageId)
                .containsExactly(11L);
        assertThat(store.transactions().loadPrepared()).singleElement().satisfies(p -> {
            assertThat(p.messages()).extracting(ApplicationMessage::topic).containsExactly("a");
            assertThat(p.messageSeqs()).containsExactly(0);
            assertThat(p.acknowledgements()).containsExactly(new Acknowledgement("mdb", 9L));
        });
    }

    /**
     * A branch committed in one phase is recorded committed: its acknowledgement counts as taken, its messages stay
     * until routed (each struck out with its copies), and a purge of old acknowledgements never drops them.
     */
    @Test
    void aOnePhaseCommitRecordKeepsItsMessagesUntilRoutedAndItsAcknowledgementsAsTaken() {
        TransactionId xid = new TransactionId(8, new byte[] {5, 6}, new byte[] {7});
        await(store.sessions().saveSession(session("sub", null)));
        await(store.transactions()
                .commitOnePhase(
                        xid,
                        List.of(message("answers/1", "a-1", 2), message("answers/2", "a-2", 1)),
                        List.of(new Acknowledgement("mdb", 10L))));
        await(store.messages()
                .enqueuePrepared(
                        21, message("answers/1", "a-1", 2), List.of(new Reference("sub", 2, false, null)), xid, 0));
        // Recorded and routed without waiting in between: likely one batch of the writer, which must not write the
        // row at all (a row left behind would be routed again at the next start).
        TransactionId folded = new TransactionId(9, new byte[] {8}, new byte[] {9});
        CompletableFuture<Void> recorded =
                store.transactions().commitOnePhase(folded, List.of(message("answers/3", "a-3", 1)), List.of());
        CompletableFuture<Void> routed = store.messages()
                .enqueuePrepared(
                        22, message("answers/3", "a-3", 1), List.of(new Reference("sub", 1, false, null)), folded, 0);
        await(recorded, routed);
        await(store.transactions().purgeCommitted(System.currentTimeMillis() + 1));
        reopen();
        assertThat(store.transactions().loadPrepared()).as("never in doubt").isEmpty();
        assertThat(store.messages().loadQueue("sub"))
                .extracting(QueuedMessage::messageId)
                .containsExactly(21L, 22L);
        assertThat(store.transactions().loadUnrouted()).singleElement().satisfies(p -> {
            assertThat(p.xid()).isEqualTo(xid);
            assertThat(p.messages()).extracting(ApplicationMessage::topic).containsExactly("answers/2");
            assertThat(p.messageSeqs()).containsExactly(1);
        });
        assertThat(store.transactions().loadCommittedAcknowledgements())
                .as("purged")
                .isEmpty();
    }
}
