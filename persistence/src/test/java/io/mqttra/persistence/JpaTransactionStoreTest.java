package io.mqttra.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttra.api.PublishProperties;
import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.store.Acknowledgement;
import io.mqttra.broker.store.PreparedTransaction;
import io.mqttra.broker.store.TransactionId;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Prepared XA transactions in an H2 file database survive closing and reopening it, Xid bytes and all. */
class JpaTransactionStoreTest {

    private final Path dir = Paths.get("target", "tx-store-" + UUID.randomUUID());

    private EntityManagerFactory open() {
        Map<String, Object> p = new HashMap<>();
        p.put("jakarta.persistence.jdbc.url", "jdbc:h2:file:" + dir.toAbsolutePath().resolve("db") + ";WRITE_DELAY=0");
        p.put("jakarta.persistence.jdbc.user", "sa");
        p.put("jakarta.persistence.jdbc.password", "");
        p.put("eclipselink.ddl-generation", "create-or-extend-tables");
        p.put("eclipselink.ddl-generation.output-mode", "database");
        p.put("eclipselink.logging.level", "WARNING");
        return Persistence.createEntityManagerFactory(JpaStores.UNIT, p);
    }

    @Test
    void preparedBranchesSurviveAReopenAndAreForgottenOnCommitAndRollback() throws Exception {
        Files.createDirectories(dir);
        TransactionId first = new TransactionId(0x1234, bytes(64, 7), bytes(3, 1));
        TransactionId second = new TransactionId(-1, "gtrid".getBytes(StandardCharsets.US_ASCII), new byte[0]);
        ApplicationMessage withProperties = new ApplicationMessage("orders/created", "{\"id\":1}".getBytes(StandardCharsets.UTF_8),
                2, true, PublishProperties.builder().contentType("application/json").userProperty("reason", "tx")
                        .correlationData(new byte[] {9, 8}).build());
        ApplicationMessage plain = new ApplicationMessage("orders/audit", new byte[] {0, 1, 2}, 1, false, null);

        EntityManagerFactory emf = open();
        try {
            JpaTransactionStore store = new JpaTransactionStore(emf);
            store.prepare(first, List.of(withProperties, plain), List.of()).join();
            store.prepare(second, List.of(plain), List.of(new Acknowledgement("mdb:orders", 42L))).join();
        } finally {
            emf.close();
        }

        emf = open();
        try {
            JpaTransactionStore store = new JpaTransactionStore(emf);
            List<PreparedTransaction> prepared = store.loadPrepared();
            assertThat(prepared).extracting(PreparedTransaction::xid).containsExactlyInAnyOrder(first, second);
            PreparedTransaction p = prepared.stream().filter(t -> t.xid().equals(first)).findFirst().orElseThrow();
            assertThat(p.xid().getGlobalTransactionId()).isEqualTo(bytes(64, 7));
            assertThat(p.xid().getFormatId()).isEqualTo(0x1234);
            assertThat(p.messages()).hasSize(2);
            ApplicationMessage m = p.messages().get(0);
            assertThat(m.topic()).isEqualTo("orders/created");
            assertThat(m.qos()).isEqualTo(2);
            assertThat(m.retain()).isTrue();
            assertThat(m.properties().contentType()).isEqualTo("application/json");
            assertThat(m.properties().userProperties()).containsExactly(new PublishProperties.UserProperty("reason", "tx"));
            assertThat(m.properties().correlationData()).containsExactly(9, 8);
            assertThat(p.messages().get(1).payload()).containsExactly(0, 1, 2);
            assertThat(p.acknowledgements()).isEmpty();
            PreparedTransaction q = prepared.stream().filter(t -> t.xid().equals(second)).findFirst().orElseThrow();
            assertThat(q.messages()).hasSize(1);
            assertThat(q.acknowledgements()).containsExactly(new Acknowledgement("mdb:orders", 42L));

            store.rollback(first).join();
            store.commit(second).join();
            store.commit(new TransactionId(1, new byte[] {1}, new byte[] {1})).join(); // unknown: no-op
        } finally {
            emf.close();
        }

        emf = open();
        try {
            JpaTransactionStore store = new JpaTransactionStore(emf);
            assertThat(store.loadPrepared()).isEmpty();
            // The committed branch's acknowledgement is kept until purged: a crash cannot repeat its delivery.
            assertThat(store.loadCommittedAcknowledgements()).containsExactly(new Acknowledgement("mdb:orders", 42L));
            store.purgeCommitted(System.currentTimeMillis() - 60_000).join();
            assertThat(store.loadCommittedAcknowledgements()).hasSize(1);
            store.purgeCommitted(System.currentTimeMillis() + 1).join();
            assertThat(store.loadCommittedAcknowledgements()).isEmpty();
        } finally {
            emf.close();
        }
    }

    @Test
    void aOnePhaseCommitIsRecordedCommittedAndItsMessagesStayUntilRouted() throws Exception {
        Files.createDirectories(dir);
        TransactionId xid = new TransactionId(7, new byte[] {4, 2}, new byte[] {1});
        Acknowledgement taken = new Acknowledgement("mdb:responder", 99L);
        EntityManagerFactory emf = open();
        try {
            new JpaTransactionStore(emf).commitOnePhase(xid, List.of(
                    new ApplicationMessage("answers/1", "a-1".getBytes(StandardCharsets.UTF_8), 2, false, null),
                    new ApplicationMessage("answers/2", "a-2".getBytes(StandardCharsets.UTF_8), 1, false, null)),
                    List.of(taken)).join();
        } finally {
            emf.close();
        }

        emf = open();
        try {
            JpaTransactionStore store = new JpaTransactionStore(emf);
            assertThat(store.loadPrepared()).as("committed, never in doubt").isEmpty();
            assertThat(store.loadCommittedAcknowledgements()).containsExactly(taken);
            List<PreparedTransaction> unrouted = store.loadUnrouted();
            assertThat(unrouted).extracting(PreparedTransaction::xid).containsExactly(xid);
            assertThat(unrouted.get(0).messages()).extracting(ApplicationMessage::topic)
                    .containsExactly("answers/1", "answers/2");
            assertThat(unrouted.get(0).messageSeqs()).containsExactly(0, 1);

            store.purgeCommitted(System.currentTimeMillis() + 1).join();
            assertThat(store.loadCommittedAcknowledgements()).isEmpty();
            assertThat(store.loadUnrouted()).as("a committed message leaves only once routed").hasSize(1);
        } finally {
            emf.close();
        }
    }

    @Test
    void preparingAgainReplacesTheRecord() throws Exception {
        Files.createDirectories(dir);
        TransactionId xid = new TransactionId(1, new byte[] {1, 2}, new byte[] {3});
        EntityManagerFactory emf = open();
        try {
            JpaTransactionStore store = new JpaTransactionStore(emf);
            store.prepare(xid, List.of(new ApplicationMessage("a", new byte[0], 1, false, null),
                    new ApplicationMessage("b", new byte[0], 1, false, null)), List.of()).join();
            store.prepare(xid, List.of(new ApplicationMessage("c", new byte[0], 1, false, null)), List.of()).join();
            List<PreparedTransaction> prepared = store.loadPrepared();
            assertThat(prepared).hasSize(1);
            assertThat(prepared.get(0).messages()).extracting(ApplicationMessage::topic).containsExactly("c");
        } finally {
            emf.close();
        }
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }
}
