package io.mqttra.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttra.api.PublishProperties;
import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.store.Acknowledgement;
import io.mqttra.broker.store.PreparedTransaction;
import io.mqttra.broker.store.TransactionId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Prepared XA transactions in an H2 file database survive closing and reopening it, Xid bytes and all. */
class JpaTransactionStoreTest {

    private final Path dir = Paths.get("target", "tx-store-" + UUID.randomUUID());

    private JpaStores open() {
        return JpaStores.open(StoreSettings.h2File(dir), TestDatabases.THREADS);
    }

    @Test
    void preparedBranchesSurviveAReopenAndAreForgottenOnCommitAndRollback() throws Exception {
        Files.createDirectories(dir);
        TransactionId first = new TransactionId(0x1234, bytes(64, 7), bytes(3, 1));
        TransactionId second = new TransactionId(-1, "gtrid".getBytes(StandardCharsets.US_ASCII), new byte[0]);
        ApplicationMessage withProperties = new ApplicationMessage(
                "orders/created",
                "{\"id\":1}".getBytes(StandardCharsets.UTF_8),
                2,
                true,
                PublishProperties.builder()
                        .contentType("application/json")
                        .userProperty("reason", "tx")
                        .correlationData(new byte[] {9, 8})
                        .build());
        ApplicationMessage plain = new ApplicationMessage("orders/audit", new byte[] {0, 1, 2}, 1, false, null);

        JpaStores stores = open();
        try {
            JpaTransactionStore store = stores.transactions();
            store.prepare(first, List.of(withProperties, plain), List.of()).join();
            store.prepare(second, List.of(plain), List.of(new Acknowledgement("mdb:orders", 42L)))
                    .join();
        } finally {
            stores.close();
        }

        stores = open();
        try {
            JpaTransactionStore store = stores.transactions();
            List<PreparedTransaction> prepared = store.loadPrepared();
            assertThat(prepared).extracting(PreparedTransaction::xid).containsExactlyInAnyOrder(first, second);
            PreparedTransaction p = prepared.stream()
                    .filter(t -> t.xid().equals(first))
                    .findFirst()
                    .orElseThrow();
            assertThat(p.xid().getGlobalTransactionId()).isEqualTo(bytes(64, 7));
            assertThat(p.xid().getFormatId()).isEqualTo(0x1234);
            assertThat(p.messages()).hasSize(2);
            ApplicationMessage m = p.messages().get(0);
            assertThat(m.topic()).isEqualTo("orders/created");
            assertThat(m.qos()).isEqualTo(2);
            assertThat(m.retain()).isTrue();
            assertThat(m.properties().contentType()).isEqualTo("application/json");
            assertThat(m.properties().userProperties())
                    .containsExactly(new PublishProperties.UserProperty("reason", "tx"));
            assertThat(m.properties().correlationData()).containsExactly(9, 8);
            assertThat(p.messages().get(1).payload()).containsExactly(0, 1, 2);
            assertThat(p.acknowledgements()).isEmpty();
            PreparedTransaction q = prepared.stream()
                    .filter(t -> t.xid().equals(second))
                    .findFirst()
                    .orElseThrow();
            assertThat(q.messages()).hasSize(1);
            assertThat(q.acknowledgements()).containsExactly(new Acknowledgement("mdb:orders", 42L));

            store.rollback(first).join();
            store.commit(second).join();
            store.commit(new TransactionId(1, new byte[] {1}, new byte[] {1})).join(); // unknown: no-op
        } finally {
            stores.close();
        }

        stores = open();
        try {
            JpaTransactionStore store = stores.transactions();
            assertThat(store.loadPrepared()).isEmpty();
            // The committed branch's acknowledgement is kept until purged: a crash cannot repeat its delivery.
            assertThat(store.loadCommittedAcknowledgements()).containsExactly(new Acknowledgement("mdb:orders", 42L));
            store.purgeCommitted(System.currentTimeMillis() - 60_000).join();
            assertThat(store.loadCommittedAcknowledgements()).hasSize(1);
            store.purgeCommitted(System.currentTimeMillis() + 1).join();
            assertThat(store.loadCommittedAcknowledgements()).isEmpty();
        } finally {
            stores.close();
        }
    }

    @Test
    void preparingAgainReplacesTheRecord() throws Exception {
        Files.createDirectories(dir);
        TransactionId xid = new TransactionId(1, new byte[] {1, 2}, new byte[] {3});
        JpaStores stores = open();
        try {
            JpaTransactionStore store = stores.transactions();
            store.prepare(
                            xid,
                            List.of(
                                    new ApplicationMessage("a", new byte[0], 1, false, null),
                                    new ApplicationMessage("b", new byte[0], 1, false, null)),
                            List.of())
                    .join();
            store.prepare(xid, List.of(new ApplicationMessage("c", new byte[0], 1, false, null)), List.of())
                    .join();
            List<PreparedTransaction> prepared = store.loadPrepared();
            assertThat(prepared).hasSize(1);
            assertThat(prepared.get(0).messages())
                    .extracting(ApplicationMessage::topic)
                    .containsExactly("c");
        } finally {
            stores.close();
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
