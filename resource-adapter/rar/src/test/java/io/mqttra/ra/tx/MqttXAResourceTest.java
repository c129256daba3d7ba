package io.mqttra.ra.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.store.Acknowledgement;
import io.mqttra.broker.store.InMemoryTransactionStore;
import io.mqttra.broker.store.PreparedTransaction;
import io.mqttra.broker.store.TransactionId;
import io.mqttra.broker.store.TransactionStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * The XA state machine of the broker's resource manager, driven the way Payara's transaction manager drives it
 * (sequences recorded in /work/shared/notes/payara.md), with an in-memory store and a recording router.
 */
class MqttXAResourceTest {

    private final RecordingStore store = new RecordingStore();
    private final RecordingSink sink = new RecordingSink();
    private final MqttResourceManager rm = new MqttResourceManager(store, sink, 2_000);

    @Test
    void aSinglePublishIsHeldUntilOnePhaseCommitAndWritesNoRecord() throws Exception {
        MqttXAResource xa = rm.newXAResource(null);
        Xid xid = xid(1);
        runBranch(xa, xid, "orders/created", "1");
        assertThat(sink.routed).as("nothing routed before commit").isEmpty();

        xa.commit(xid, true);

        assertThat(sink.payloads()).containsExactly("1");
        assertThat(store.prepares)
                .as("one-phase commit writes no prepare record")
                .isZero();
        assertThat(store.onePhaseRecords)
                .as("routing one message is one write already")
                .isZero();
        assertThat(rm.openBranches()).isZero();
    }

    @Test
    void aOnePhaseCommitOfSeveralPublishesIsRecordedBeforeTheyAreRouted() throws Exception {
        MqttXAResource xa = rm.newXAResource(null);
        Xid xid = xid(30);
        runBranch(xa, xid, "orders/created", "1", "2");
        sink.onPublish = () ->
                assertThat(store.onePhaseRecords).as("recorded before routing").isEqualTo(1);

        xa.commit(xid, true);

        assertThat(sink.payloads()).containsExactly("1", "2");
        assertThat(sink.prepared)
                .as("routed as recorded, each struck out of the record")
                .containsExactly(0, 1);
        assertThat(store.prepares).isZero();
        assertThat(fullScan(xa)).as("a committed branch is never in doubt").isEmpty();
    }

    @Test
    void aBeanThatTakesAMessageAndPublishesCommitsBothInOneRecordedWrite() throws Exception {
        Acknowledgement taken = new Acknowledgement("mdb:responder", 41L);
        List<String> outcomes = new ArrayList<>();
        MqttXAResource inbound = rm.newXAResource(recordingListener(outcomes, "committed"), taken);
        MqttXAResource outbound = rm.newXAResource(null);
        Xid xid = xid(31);
        inbound.start(xid, XAResource.TMNOFLAGS);
        outbound.start(xid, XAResource.TMJOIN); // Payara joins resources of the same RM into one branch
        outbound.publish(message("answers/1", "a-1"));
        outbound.end(xid, XAResource.TMSUCCESS);
        inbound.end(xid, XAResource.TMSUCCESS);
        sink.onPublish = () -> assertThat(store.loadCommittedAcknowledgements())
                .as("the message is taken for good before the answer is routed")
                .containsExactly(taken);

        inbound.commit(xid, true);

        assertThat(sink.payloads()).containsExactly("a-1");
        assertThat(outcomes).containsExactly("committed");
        assertThat(store.onePhaseRecords).isEqualTo(1);
    }

    @Test
    void aOnePhaseCommitWhoseRecordCannotBeWrittenRollsBackAndRoutesNothing() throws Exception {
        List<String> outcomes = new ArrayList<>();
        MqttXAResource inbound =
                rm.newXAResource(recordingListener(outcomes, "committed"), new Acknowledgement("mdb:responder", 42L));
        Xid xid = xid(32);
        runBranch(inbound, xid, "answers/2", "a-2");
        store.failOnePhase = true;

        assertXaError(() -> inbound.commit(xid, true), XAException.XA_RBOTHER);

        assertThat(sink.routed).isEmpty();
        assertThat(outcomes).containsExactly("rolled back");
        assertThat(store.loadCommittedAcknowledgements()).isEmpty();
        assertThat(rm.openBranches()).isZero();
    }

    @Test
    void twoPhaseCommitMakesTheMessagesDurableAtPrepareAndRoutesThemAtCommit() throws Exception {
        MqttXAResource xa = rm.newXAResource(null);
        Xid xid = xid(2);
        runBranch(xa, xid, "orders/created", "a");

        assertThat(xa.prepare(xid)).isEqualTo(XAResource.XA_OK);
        assertThat(store.loadPrepared()).extracting(PreparedTransaction::xid).containsExactly(TransactionId.of(xid));
        assertThat(sink.routed).isEmpty();
        assertThat(fullScan(xa)).containsExactly(TransactionId.of(xid));

        xa.commit(xid, false);

        assertThat(sink.payloads()).containsExactly("a");
        assertThat(store.loadPrepared()).isEmpty();
        assertThat(fullScan(xa)).isEmpty();
    }

    @Test
    void rollbackDiscardsTheMessagesBeforeAndAfterPrepare() throws Exception {
        MqttXAResource xa = rm.newXAResource(null);
        Xid before = xid(3);
        runBranch(xa, before, "t", "x");
        xa.rollback(before);

        Xid after = xid(4);
        runBranch(xa, after, "t", "y");
        xa.prepare(after);
        xa.rollback(after);

        assertThat(sink.routed).isEmpty();
        assertThat(store.loadPrepared()).isEmpty();
        assertThat(rm.openBranches()).isZero();
    }

    @Test
    void aBranchThatPublishedNothingIsReadOnly() throws Exception {
        MqttXAResource xa = rm.newXAResource(null);
        Xid xid = xid(5);
        runBranch(xa, xid, "t");
        assertThat(xa.prepare(xid)).isEqualTo(XAResource.XA_RDONLY);
        assertThat(store.prepares).isZero();
        assertThat(rm.openBranches()).isZero();
    }

    @Test
    void afterARestartRecoverReturnsTheSameXidAndCommitRoutesExactlyOnce() throws Exception {
        Xid xid = xid(6);
        MqttXAResource before = rm.newXAResource(null);
        runBranch(before, xid, "orders/created", "crash");
        before.prepare(xid);
        // The JVM dies here: only the store survives.

        RecordingSink afterSink = new RecordingSink();
        MqttResourceManager restarted = new MqttResourceManager(store, afterSink, 2_000);
        assertThat(restarted.loadPrepared()).isEqualTo(1);
        MqttXAResource recovery = restarted.newXAResource(null);
        Xid[] inDoubt = fullScan(recovery);
        assertThat(inDoubt).hasSize(1);
        assertThat(inDoubt[0].getFormatId()).isEqualTo(xid.getFormatId());
        assertThat(inDoubt[0].getGlobalTransactionId()).isEqualTo(xid.getGlobalTransactionId());
        assertThat(inDoubt[0].getBranchQualifier()).isEqualTo(xid.getBranchQualifier());

        recovery.commit(inDoubt[0], false);
        assertThat(afterSink.payloads()).containsExactly("crash");
        assertThat(store.loadPrepared()).isEmpty();
        // A replayed commit finds nothing: the transaction manager reads XAER_NOTA as "already done".
        assertXaError(() -> recovery.commit(inDoubt[0], false), XAException.XAER_NOTA);
        assertThat(afterSink.payloads()).containsExactly("crash");
    }

    @Test
    void recoveryCanAlsoRollBackAnInDoubtBranch() throws Exception {
        Xid xid = xid(7);
        MqttXAResource xa = rm.newXAResource(null);
        runBranch(xa, xid, "t", "never");
        xa.prepare(xid);

        MqttResourceManager restarted = restart(sink);
        MqttXAResource recovery = restarted.newXAResource(null);
        recovery.rollback(recovery.recover(XAResource.TMSTARTRSCAN)[0]);
        assertThat(sink.routed).isEmpty();
        assertThat(store.loadPrepared()).isEmpty();
    }

    @Test
    void aCommitRetriedAfterARoutingFailureRoutesEachMessageOnce() throws Exception {
        MqttXAResource xa = rm.newXAResource(null);
        Xid xid = xid(8);
        runBranch(xa, xid, "t", "1", "2", "3");
        xa.prepare(xid);
        sink.failAt = 2; // the second publish fails once

        assertXaError(() -> xa.commit(xid, false), XAException.XAER_RMFAIL);
        assertThat(xa.recover(XAResource.TMSTARTRSCAN)).as("still in doubt").hasSize(1);

        xa.commit(xid, false);
        assertThat(sink.payloads()).containsExactly("1", "2", "3");
        assertThat(store.loadPrepared()).isEmpty();
    }

    @Test
    void aPrepareTheStoreCannotMakeDurableRollsTheBranchBack() throws Exception {
        MqttXAResource xa = rm.newXAResource(null);
        Xid xid = xid(9);
        runBranch(xa, xid, "t", "x");
        store.failPrepare = true;

        assertXaError(() -> xa.prepare(xid), XAException.XA_RBOTHER);
        assertThat(rm.openBranches()).isZero();
        assertThat(sink.routed).isEmpty();
    }

    @Test
    void endWithFailMarksTheBranchRollbackOnly() throws Exception {
        MqttXAResource xa = rm.newXAResource(null);
        Xid xid = xid(10);
        xa.start(xid, XAResource.TMNOFLAGS);
        xa.publish(message("t", "x"));
        xa.end(xid, XAResource.TMFAIL);
        assertXaError(() -> xa.prepare(xid), XAException.XA_RBROLLBACK);
        assertThat(sink.routed).isEmpty();
    }

    @Test
    void listenersHearCommitAndRollback() throws Exception {
        List<String> outcomes = new ArrayList<>();
        BranchListener listener = recordingListener(outcomes, "committed");
        MqttXAResource inbound = rm.newXAResource(listener);
        Xid first = xid(11);
        runBranch(inbound, first, "t");
        // A branch with a listener is not read-only: the delivery must hear the outcome.
        assertThat(inbound.prepare(first)).isEqualTo(XAResource.XA_OK);
        inbound.commit(first, false);

        MqttXAResource again = rm.newXAResource(listener);
        Xid second = xid(12);
        runBranch(again, second, "t");
        again.rollback(second);

        assertThat(outcomes).containsExactly("committed", "rolled back");
    }

    @Test
    void joinedBranchesOfTheSameBrokerCommitThroughEitherResource() throws Exception {
        MqttXAResource inbound = rm.newXAResource(null);
        MqttXAResource outbound = rm.newXAResource(null);
        assertThat(inbound.isSameRM(outbound)).isTrue();
        Xid xid = xid(13);
        inbound.start(xid, XAResource.TMNOFLAGS);
        outbound.start(xid, XAResource.TMJOIN);
        outbound.publish(message("t", "joined"));
        outbound.end(xid, XAResource.TMSUCCESS);
        inbound.end(xid, XAResource.TMSUCCESS);
        inbound.commit(xid, true);
        assertThat(sink.payloads()).containsExactly("joined");
    }

    @Test
    void protocolErrorsAreReportedWithTheirXaCodes() throws Exception {
        MqttXAResource xa = rm.newXAResource(null);
        Xid xid = xid(14);
        xa.start(xid, XAResource.TMNOFLAGS);
        assertXaError(() -> rm.newXAResource(null).start(xid, XAResource.TMNOFLAGS), XAException.XAER_DUPID);
        assertXaError("prepare before end", () -> xa.prepare(xid), XAException.XAER_PROTO);
        assertXaError(() -> xa.commit(xid(99), true), XAException.XAER_NOTA);
        xa.end(xid, XAResource.TMSUCCESS);
        assertXaError("two-phase commit without prepare", () -> xa.commit(xid, false), XAException.XAER_PROTO);
        assertThatThrownBy(() -> xa.publish(message("t", "late"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void suspendedBranchesResume() throws Exception {
        MqttXAResource xa = rm.newXAResource(null);
        Xid xid = xid(15);
        xa.start(xid, XAResource.TMNOFLAGS);
        xa.end(xid, XAResource.TMSUSPEND);
        assertThat(xa.inTransaction()).isFalse();
        xa.start(xid, XAResource.TMRESUME);
        xa.publish(message("t", "resumed"));
        xa.end(xid, XAResource.TMSUCCESS);
        xa.commit(xid, true);
        assertThat(sink.payloads()).containsExactly("resumed");
    }

    @Test
    void aRecoveryScanReturnsTheInDoubtBranchesOnlyAtItsStart() throws Exception {
        MqttXAResource xa = rm.newXAResource(null);
        Xid xid = xid(16);
        runBranch(xa, xid, "t", "x");
        xa.prepare(xid);
        MqttXAResource scanner = rm.newXAResource(null);
        assertThat(scanner.recover(XAResource.TMSTARTRSCAN)).hasSize(1);
        assertThat(scanner.recover(XAResource.TMNOFLAGS)).isEmpty();
        assertThat(scanner.recover(XAResource.TMENDRSCAN)).isEmpty();
        assertThat(fullScan(scanner)).hasSize(1);
    }

    @Test
    void aDeliveryPreparedBeforeACrashIsHeldUntilRecoveryAndNotRepeatedWhenItCommits() throws Exception {
        Acknowledgement taken = new Acknowledgement("mdb:orders", 7L);
        Acknowledgement other = new Acknowledgement("mdb:orders", 8L);
        Xid committed = xid(17);
        Xid rolledBack = xid(18);
        for (Xid x : List.of(committed, rolledBack)) {
            MqttXAResource inbound = rm.newXAResource(new DeliveryOutcome(), x == committed ? taken : other);
            runBranch(inbound, x, "t");
            assertThat(inbound.prepare(x)).isEqualTo(XAResource.XA_OK);
        }
        assertThat(store.loadPrepared())
                .extracting(PreparedTransaction::acknowledgements)
                .containsExactly(List.of(taken), List.of(other));
        // The JVM dies here.

        MqttResourceManager restarted = restart(sink);
        assertThat(restarted.acknowledgementState(taken)).isEqualTo(MqttResourceManager.AcknowledgementState.IN_DOUBT);
        assertThat(restarted.acknowledgementState(new Acknowledgement("mdb:orders", 9L)))
                .isEqualTo(MqttResourceManager.AcknowledgementState.NONE);

        MqttXAResource recovery = restarted.newXAResource(null);
        recovery.commit(committed, false);
        recovery.rollback(rolledBack);
        assertThat(restarted.acknowledgementState(taken))
                .as("done: acknowledge without delivering")
                .isEqualTo(MqttResourceManager.AcknowledgementState.COMMITTED);
        assertThat(restarted.acknowledgementState(other))
                .as("rolled back: deliver again")
                .isEqualTo(MqttResourceManager.AcknowledgementState.NONE);
        restarted.acknowledged(taken);
        assertThat(restarted.acknowledgementState(taken)).isEqualTo(MqttResourceManager.AcknowledgementState.NONE);
        assertThat(store.loadPrepared()).isEmpty();
    }

    @Test
    void aDeliveryCommittedJustBeforeACrashIsNotRepeatedAfterTheRestart() throws Exception {
        Acknowledgement taken = new Acknowledgement("mdb:orders", 11L);
        MqttXAResource inbound = rm.newXAResource(new DeliveryOutcome(), taken);
        Xid xid = xid(20);
        runBranch(inbound, xid, "t");
        inbound.prepare(xid);
        inbound.commit(xid, false);
        // The JVM dies before the broker made the acknowledgement durable: the message comes back after the restart.

        MqttResourceManager restarted = restart(sink);
        assertThat(restarted.acknowledgementState(taken)).isEqualTo(MqttResourceManager.AcknowledgementState.COMMITTED);
        assertThat(store.loadPrepared()).as("nothing in doubt").isEmpty();
    }

    @Test
    void aTwoPhaseCommitTellsTheDeliveryBeforeItForgetsTheRecord() throws Exception {
        List<String> order = new ArrayList<>();
        TransactionStore watching = new RecordingStore() {
            @Override
            public CompletableFuture<Void> commit(TransactionId xid) {
                order.add("record deleted");
                return super.commit(xid);
            }
        };
        MqttResourceManager manager = new MqttResourceManager(watching, sink, 2_000);
        MqttXAResource inbound =
                manager.newXAResource(recordingListener(order, "acknowledged"), new Acknowledgement("c", 1L));
        Xid xid = xid(19);
        runBranch(inbound, xid, "t");
        inbound.prepare(xid);
        inbound.commit(xid, false);
        assertThat(order).containsExactly("acknowledged", "record deleted");
    }

    @Test
    void transactionTimeoutIsKept() throws Exception {
        MqttXAResource xa = rm.newXAResource(null);
        assertThat(xa.setTransactionTimeout(30)).isTrue();
        assertThat(xa.getTransactionTimeout()).isEqualTo(30);
        assertThatThrownBy(() -> xa.setTransactionTimeout(-1)).isInstanceOf(XAException.class);
    }

    // ---- helpers and test doubles ----

    /** Runs a branch from start to a successful end, publishing one message on the topic per payload (maybe none). */
    private static void runBranch(MqttXAResource xa, Xid xid, String topic, String... payloads) throws XAException {
        xa.start(xid, XAResource.TMNOFLAGS);
        for (String payload : payloads) {
            xa.publish(message(topic, payload));
        }
        xa.end(xid, XAResource.TMSUCCESS);
    }

    /** A recovery scan the way a transaction manager runs it in one call. */
    private static Xid[] fullScan(MqttXAResource xa) throws XAException {
        return xa.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
    }

    /** A resource manager that starts over the same store, as after a JVM crash. */
    private MqttResourceManager restart(MessageSink routedTo) {
        MqttResourceManager restarted = new MqttResourceManager(store, routedTo, 2_000);
        restarted.loadPrepared();
        return restarted;
    }

    private static void assertXaError(ThrowingCallable call, int errorCode) {
        assertXaError("", call, errorCode);
    }

    private static void assertXaError(String description, ThrowingCallable call, int errorCode) {
        assertThatThrownBy(call)
                .as(description)
                .isInstanceOfSatisfying(
                        XAException.class, e -> assertThat(e.errorCode).isEqualTo(errorCode));
    }

    /** Records "rolled back" or the given word for a commit, in the order the outcomes arrive. */
    private static BranchListener recordingListener(List<String> outcomes, String onCommit) {
        return new BranchListener() {
            @Override
            public void committed() {
                outcomes.add(onCommit);
            }

            @Override
            public void rolledBack() {
                outcomes.add("rolled back");
            }
        };
    }

    private static ApplicationMessage message(String topic, String payload) {
        return new ApplicationMessage(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false, null);
    }

    private static Xid xid(int n) {
        return new Xid() {
            @Override
            public int getFormatId() {
                return 4660;
            }

            @Override
            public byte[] getGlobalTransactionId() {
                return ("gtrid-" + n).getBytes(StandardCharsets.US_ASCII);
            }

            @Override
            public byte[] getBranchQualifier() {
                return new byte[] {(byte) n, 1};
            }
        };
    }

    /** The in-memory store, counting prepares and able to fail them. */
    private static class RecordingStore implements TransactionStore {
        private final InMemoryTransactionStore delegate = new InMemoryTransactionStore();
        int prepares;
        int onePhaseRecords;
        boolean failPrepare;
        boolean failOnePhase;

        @Override
        public CompletableFuture<Void> prepare(
                TransactionId xid, List<ApplicationMessage> messages, List<Acknowledgement> acknowledgements) {
            prepares++;
            return failPrepare
                    ? CompletableFuture.failedFuture(new IllegalStateException("disk full"))
                    : delegate.prepare(xid, messages, acknowledgements);
        }

        @Override
        public CompletableFuture<Void> commit(TransactionId xid) {
            return delegate.commit(xid);
        }

        @Override
        public CompletableFuture<Void> commitOnePhase(
                TransactionId xid, List<ApplicationMessage> messages, List<Acknowledgement> acknowledgements) {
            if (failOnePhase) {
                return CompletableFuture.failedFuture(new IllegalStateException("disk full"));
            }
            onePhaseRecords++;
            return delegate.commitOnePhase(xid, messages, acknowledgements);
        }

        @Override
        public List<PreparedTransaction> loadUnrouted() {
            return delegate.loadUnrouted();
        }

        @Override
        public CompletableFuture<Void> rollback(TransactionId xid) {
            return delegate.rollback(xid);
        }

        @Override
        public List<PreparedTransaction> loadPrepared() {
            return delegate.loadPrepared();
        }

        @Override
        public List<Acknowledgement> loadCommittedAcknowledgements() {
            return delegate.loadCommittedAcknowledgements();
        }

        @Override
        public CompletableFuture<Void> purgeCommitted(long epochMillis) {
            return delegate.purgeCommitted(epochMillis);
        }
    }

    /** Records what is routed; can refuse the n-th publish once. */
    private static final class RecordingSink implements MessageSink {
        final List<ApplicationMessage> routed = new CopyOnWriteArrayList<>();
        final List<Integer> prepared = new CopyOnWriteArrayList<>();
        final AtomicInteger calls = new AtomicInteger();
        int failAt;
        Runnable onPublish = () -> {};

        @Override
        public CompletableFuture<Void> publish(ApplicationMessage message) {
            onPublish.run();
            if (calls.incrementAndGet() == failAt) {
                throw new IllegalStateException("broker not started");
            }
            routed.add(message);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> publishPrepared(ApplicationMessage message, TransactionId xid, int seq) {
            prepared.add(seq);
            return publish(message);
        }

        List<String> payloads() {
            return routed.stream()
                    .map(m -> new String(m.payload(), StandardCharsets.UTF_8))
                    .toList();
        }
    }
}
