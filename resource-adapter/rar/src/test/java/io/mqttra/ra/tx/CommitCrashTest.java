package io.mqttra.ra.tx;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttra.broker.store.Acknowledgement;
import io.mqttra.broker.store.QueuedMessage;
import io.mqttra.broker.store.TransactionId;
import io.mqttra.ra.ChildJvm;
import io.mqttra.ra.MqttResourceAdapter;
import io.mqttra.ra.TestAdapters;
import io.mqttra.ra.ThreadPoolWorkManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The two crash windows of the resource manager's commit, hit by halting a child JVM that runs the real adapter
 * with its H2 store ({@link CommitCrashChild}), then restarting the adapter on the same data directory here.
 */
class CommitCrashTest {

    /**
     * A crash after a committed branch's messages were routed but before its record was forgotten: the
     * transaction manager's recovery commits the branch again, which must route nothing twice.
     */
    @Test
    void aCommitReplayedAfterACrashBetweenRoutingAndForgettingTheRecordRoutesEachMessageOnce() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "crash-routing");
        ChildJvm.Result child = ChildJvm.run(
                CommitCrashChild.class,
                List.of("-D" + CrashPoint.ENABLE_PROPERTY + "=true"),
                data.resolve("child.log"),
                data.toString(),
                "commit-after-routing");
        assertThat(child.exitCode())
                .as("halted by the crash point: %s", child.lines())
                .isEqualTo(99);
        assertThat(child.lines()).contains("PREPARED").doesNotContain("COMMITTED WITHOUT CRASHING");

        try (ThreadPoolWorkManager workManager = new ThreadPoolWorkManager()) {
            MqttResourceAdapter adapter = restart(data, workManager);
            try {
                MqttXAResource xa = adapter.resourceManager().newXAResource(null);
                Xid[] inDoubt = xa.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
                assertThat(inDoubt)
                        .as("the taken message keeps the branch in doubt")
                        .containsExactly(TransactionId.of(CommitCrashChild.XID));
                xa.commit(inDoubt[0], false); // what the transaction manager's recovery does with its logged decision

                assertThat(payloads(adapter.store().messages().loadQueue(CommitCrashChild.SUBSCRIBER)))
                        .as("each message routed once")
                        .containsExactly("o-1", "o-2");
                assertThat(xa.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN))
                        .isEmpty();
            } finally {
                adapter.stop();
            }
        }
    }

    /**
     * A one-phase commit of a transacted delivery returns only once the message's removal is durable: a crash
     * right after the container's commit does not give the bean the message again.
     */
    @Test
    void aOnePhaseCommitOfATransactedDeliveryReturnsOnlyOnceTheMessageIsDurablyTaken() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "crash-one-phase");
        ChildJvm.Result child = ChildJvm.run(
                CommitCrashChild.class, List.of(), data.resolve("child.log"), data.toString(), "one-phase-ack");
        assertThat(child.exitCode())
                .as("halted right after commit: %s", child.lines())
                .isEqualTo(98);
        assertThat(child.lines()).contains("COMMITTED");

        try (ThreadPoolWorkManager workManager = new ThreadPoolWorkManager()) {
            MqttResourceAdapter adapter = restart(data, workManager);
            try {
                assertThat(adapter.store().messages().loadQueue(CommitCrashChild.BEAN))
                        .as("taken for good")
                        .isEmpty();
            } finally {
                adapter.stop();
            }
        }
    }

    /**
     * A bean that takes a request and publishes its answer in one transaction committed in one phase (the
     * transaction manager joined its inbound and outbound resources into one branch of this resource manager): a
     * crash once the commit is recorded, before the answer is routed, routes the answer at the next start, once,
     * and keeps the request from the bean.
     */
    @Test
    void aOnePhaseAnswerInterruptedBeforeRoutingIsRoutedOnceAtTheNextStartAndTheRequestIsNotRepeated()
            throws Exception {
        answerSurvivesACrash("answer-before-routing");
    }

    /** The same, with the crash after the answer was routed and before the request was acknowledged. */
    @Test
    void aOnePhaseAnswerRoutedJustBeforeACrashIsNotRoutedAgainAndTheRequestIsNotRepeated() throws Exception {
        answerSurvivesACrash("answer-after-routing");
    }

    private static void answerSurvivesACrash(String mode) throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "crash-" + mode);
        ChildJvm.Result child = ChildJvm.run(
                CommitCrashChild.class,
                List.of("-D" + CrashPoint.ENABLE_PROPERTY + "=true"),
                data.resolve("child.log"),
                data.toString(),
                mode);
        assertThat(child.exitCode())
                .as("halted by the crash point: %s", child.lines())
                .isEqualTo(99);
        long taken = child.lines().stream()
                .filter(l -> l.startsWith("TAKEN "))
                .mapToLong(l -> Long.parseLong(l.substring(6)))
                .findFirst()
                .orElseThrow();
        Acknowledgement request = new Acknowledgement(CommitCrashChild.BEAN, taken);

        // Two lives: the first after the crash finishes the commit, the second must find nothing left to do.
        for (int life = 1; life <= 2; life++) {
            try (ThreadPoolWorkManager workManager = new ThreadPoolWorkManager()) {
                MqttResourceAdapter adapter = restart(data, workManager);
                try {
                    MqttResourceManager rm = adapter.resourceManager();
                    assertThat(rm.acknowledgementState(request))
                            .as("life %d: the bean's request is taken", life)
                            .isEqualTo(MqttResourceManager.AcknowledgementState.COMMITTED);
                    MqttXAResource xa = rm.newXAResource(null);
                    assertThat(xa.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN))
                            .as("a one-phase commit is never in doubt")
                            .isEmpty();
                    Awaitility.await()
                            .atMost(Duration.ofSeconds(20))
                            .untilAsserted(() -> assertThat(
                                            payloads(adapter.store().messages().loadQueue(CommitCrashChild.SUBSCRIBER)))
                                    .as("the answer, routed once")
                                    .containsExactly("a-1"));
                    assertThat(adapter.store().transactions().loadUnrouted())
                            .as("nothing left to route")
                            .isEmpty();
                } finally {
                    adapter.stop();
                }
            }
        }
    }

    private static MqttResourceAdapter restart(Path data, ThreadPoolWorkManager workManager) throws Exception {
        return TestAdapters.startedOn(data.toString(), workManager);
    }

    private static List<String> payloads(List<QueuedMessage> queue) {
        return queue.stream()
                .map(q -> new String(q.message().payload(), StandardCharsets.UTF_8))
                .sorted()
                .toList();
    }
}
