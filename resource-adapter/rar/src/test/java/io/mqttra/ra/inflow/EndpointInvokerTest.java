package io.mqttra.ra.inflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttra.api.MqttMessage;
import io.mqttra.api.MqttMessageListener;
import io.mqttra.api.OnMqttMessage;
import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.BrokerMetrics;
import io.mqttra.broker.Delivery;
import io.mqttra.broker.store.Acknowledgement;
import io.mqttra.broker.store.InMemoryTransactionStore;
import io.mqttra.broker.store.TransactionId;
import io.mqttra.ra.SimpleEndpointFactory;
import io.mqttra.ra.tx.MqttResourceManager;
import jakarta.resource.spi.UnavailableException;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;

/**
 * Unit test of {@link EndpointInvoker} with a hand-written endpoint factory standing in for the EJB container; for
 * transacted delivery it drives the XAResource it is given the way Payara does (start, end, commit in one phase or
 * rollback, inside afterDelivery).
 */
class EndpointInvokerTest {

    /** The bean and its endpoint proxy in one: the container's proxy is an instance of the bean class. */
    public static class Bean implements MqttMessageListener, MessageEndpoint {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final AtomicInteger failuresLeft = new AtomicInteger();
        XAResource xa;
        Xid xid;
        boolean failed;
        boolean rollbackOnly;
        java.util.function.Consumer<Xid> prepareOnly;

        @OnMqttMessage("lights/+")
        public void lights(String text) {
            calls.add("lights:" + text);
        }

        @OnMqttMessage("lights/#")
        public void all(MqttMessage message) {
            calls.add("all:" + message.topic() + (message.dup() ? ":dup" : ""));
            if (failuresLeft.getAndDecrement() > 0) {
                failed = true;
                throw new IllegalStateException("bean failed on purpose");
            }
        }

        @OnMqttMessage("fail")
        public void fail(String text) {
            calls.add("fail");
            failed = true;
            throw new IllegalStateException("bean failed on purpose");
        }

        @OnMqttMessage("veto")
        public void veto(String text) {
            calls.add("veto");
            rollbackOnly = true; // as with MessageDrivenContext.setRollbackOnly()
        }

        @Override
        public void beforeDelivery(Method method) {
            calls.add("before:" + method.getName());
            failed = false;
            rollbackOnly = false;
            if (xa != null) {
                xid = new TestXid(calls.size());
                try {
                    xa.start(xid, XAResource.TMNOFLAGS);
                } catch (XAException e) {
                    throw new AssertionError(e);
                }
            }
        }

        @Override
        public void afterDelivery() {
            calls.add("after");
            if (xa != null) {
                try {
                    xa.end(xid, XAResource.TMSUCCESS);
                    if (prepareOnly != null) {
                        xa.prepare(xid);
                        calls.add("prepared");
                        prepareOnly.accept(xid);
                        return;
                    }
                    if (failed || rollbackOnly) {
                        xa.rollback(xid);
                        calls.add("rollback");
                    } else {
                        xa.commit(xid, true);
                        calls.add("commit");
                    }
                } catch (XAException e) {
                    throw new AssertionError(e);
                }
            }
        }

        @Override
        public void release() {
            calls.add("release");
        }
    }

    /** One bean for every delivery; refuses the first endpoints the way an exhausted pool does. */
    private static final class Factory extends SimpleEndpointFactory<Bean> {
        final Bean bean;
        final AtomicInteger refusals;
        final boolean transacted;

        Factory(int refusals) {
            this(refusals, false);
        }

        Factory(int refusals, boolean transacted) {
            this(new Bean(), refusals, transacted);
        }

        private Factory(Bean bean, int refusals, boolean transacted) {
            super(Bean.class, () -> bean, "test");
            this.bean = bean;
            this.refusals = new AtomicInteger(refusals);
            this.transacted = transacted;
        }

        @Override
        public MessageEndpoint createEndpoint(XAResource xa) throws UnavailableException {
            if (refusals.getAndDecrement() > 0) {
                throw new UnavailableException("pool exhausted");
            }
            bean.xa = xa;
            return super.createEndpoint(xa);
        }

        @Override
        public boolean isDeliveryTransacted(Method method) {
            return transacted;
        }
    }

    private record TestXid(int n) implements Xid {
        @Override
        public int getFormatId() {
            return 1;
        }

        @Override
        public byte[] getGlobalTransactionId() {
            return new byte[] {(byte) n};
        }

        @Override
        public byte[] getBranchQualifier() {
            return new byte[] {1};
        }
    }

    private static final class TestDelivery implements Delivery {
        final ApplicationMessage message;
        final List<Integer> ids;
        final AtomicInteger acks = new AtomicInteger();
        long messageId;

        TestDelivery(String topic, String payload, Integer... ids) {
            this.message = new ApplicationMessage(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false, null);
            this.ids = List.of(ids);
        }

        @Override
        public ApplicationMessage message() {
            return message;
        }

        @Override
        public boolean dup() {
            return false;
        }

        @Override
        public List<Integer> subscriptionIdentifiers() {
            return ids;
        }

        @Override
        public long messageId() {
            return messageId;
        }

        @Override
        public void acknowledge() {
            acks.incrementAndGet();
        }
    }

    private final List<ListenerMethod> methods = scan(); // all=1, fail=2, lights=3, veto=4
    private final MqttResourceManager rm = new MqttResourceManager(
            new InMemoryTransactionStore(), m -> CompletableFuture.completedFuture(null), 1_000);
    private final BrokerMetrics metrics = new BrokerMetrics();

    private static List<ListenerMethod> scan() {
        try {
            return ListenerMethods.scan(Bean.class);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private EndpointInvoker invoker(Factory factory, int redeliveries) throws Exception {
        return new EndpointInvoker(
                factory,
                methods,
                rm,
                "test-client",
                new RedeliveryPolicy(redeliveries, 1, null),
                new DeadLetters(() -> null, "test-client", "Bean"),
                metrics);
    }

    @Test
    void invokesTheSubscribedMethodBetweenBeforeAndAfterDeliveryThenAcknowledges() throws Exception {
        Factory factory = new Factory(0);
        TestDelivery delivery = new TestDelivery("lights/kitchen", "ON", 3);
        invoker(factory, 0).deliver(delivery, () -> true);
        assertThat(factory.bean.calls).containsExactly("before:lights", "lights:ON", "after", "release");
        assertThat(delivery.acks).hasValue(1);
        assertThat(metrics.mdbDeliveries()).isEqualTo(1);
        assertThat(metrics.mdbRedeliveries()).isZero();
    }

    @Test
    void overlappingSubscriptionsInvokeEachMatchedMethodOnce() throws Exception {
        Factory factory = new Factory(0);
        TestDelivery delivery = new TestDelivery("lights/kitchen", "ON", 3, 1, 3);
        invoker(factory, 0).deliver(delivery, () -> true);
        assertThat(factory.bean.calls)
                .containsExactly(
                        "before:lights",
                        "lights:ON",
                        "after",
                        "release",
                        "before:all",
                        "all:lights/kitchen",
                        "after",
                        "release");
        assertThat(delivery.acks).hasValue(1);
    }

    @Test
    void exhaustedBeanPoolDelaysDeliveryInsteadOfDroppingIt() throws Exception {
        Factory factory = new Factory(4);
        TestDelivery delivery = new TestDelivery("lights/hall", "OFF", 3);
        invoker(factory, 0).deliver(delivery, () -> true);
        assertThat(factory.refusals.get()).isNegative(); // asked again after each refusal
        assertThat(factory.bean.calls).contains("lights:OFF");
        assertThat(delivery.acks).hasValue(1);
    }

    @Test
    void deactivationWhileWaitingForThePoolLeavesTheMessageUnacknowledged() throws Exception {
        Factory factory = new Factory(Integer.MAX_VALUE);
        AtomicInteger polls = new AtomicInteger();
        TestDelivery delivery = new TestDelivery("lights/hall", "OFF", 3);
        invoker(factory, 0).deliver(delivery, () -> polls.incrementAndGet() < 3);
        assertThat(factory.bean.calls).isEmpty();
        assertThat(delivery.acks).hasValue(0);
    }

    @Test
    void aFailingMethodIsRedeliveredWithDupUntilItTakesTheMessage() throws Exception {
        Factory factory = new Factory(0);
        factory.bean.failuresLeft.set(2);
        TestDelivery delivery = new TestDelivery("lights/porch", "ON", 1);
        invoker(factory, 5).deliver(delivery, () -> true);
        assertThat(factory.bean.calls)
                .filteredOn(c -> c.startsWith("all:"))
                .containsExactly("all:lights/porch", "all:lights/porch:dup", "all:lights/porch:dup");
        assertThat(delivery.acks).hasValue(1);
        assertThat(metrics.mdbDeliveries()).isEqualTo(3);
        assertThat(metrics.mdbRedeliveries()).isEqualTo(2);
        assertThat(metrics.mdbDeadLetters()).isZero();
    }

    @Test
    void afterTheRedeliveryLimitTheMessageIsGivenUpAndAcknowledged() throws Exception {
        Factory factory = new Factory(0);
        TestDelivery delivery = new TestDelivery("fail", "x", 2);
        invoker(factory, 2).deliver(delivery, () -> true);
        assertThat(factory.bean.calls).filteredOn("fail"::equals).hasSize(3); // first attempt + 2 redeliveries
        assertThat(delivery.acks).hasValue(1);
        assertThat(metrics.mdbDeliveries()).isEqualTo(3);
        assertThat(metrics.mdbRedeliveries()).isEqualTo(2);
        assertThat(metrics.mdbDeadLetters())
                .as("given up (no dead-letter topic: dropped)")
                .isEqualTo(1);
    }

    @Test
    void transactedDeliveryIsAcknowledgedOnlyWhenTheTransactionCommits() throws Exception {
        Factory factory = new Factory(0, true);
        TestDelivery delivery = new TestDelivery("lights/kitchen", "ON", 3);
        invoker(factory, 0).deliver(delivery, () -> true);
        assertThat(factory.bean.calls).containsExactly("before:lights", "lights:ON", "after", "commit", "release");
        assertThat(delivery.acks).hasValue(1);
        assertThat(rm.openBranches()).isZero();
    }

    @Test
    void aRolledBackTransactionIsRedeliveredEvenWhenTheMethodReturnedNormally() throws Exception {
        Factory factory = new Factory(0, true);
        TestDelivery delivery = new TestDelivery("veto", "x", 4);
        invoker(factory, 1).deliver(delivery, () -> true);
        assertThat(factory.bean.calls)
                .containsExactly(
                        "before:veto",
                        "veto",
                        "after",
                        "rollback",
                        "release",
                        "before:veto",
                        "veto",
                        "after",
                        "rollback",
                        "release");
        assertThat(delivery.acks)
                .as("given up after the limit (no dead-letter topic here)")
                .hasValue(1);
    }

    @Test
    void aTransactedMethodThatThrowsIsRolledBackAndRedelivered() throws Exception {
        Factory factory = new Factory(0, true);
        factory.bean.failuresLeft.set(1);
        TestDelivery delivery = new TestDelivery("lights/attic", "ON", 1);
        invoker(factory, 3).deliver(delivery, () -> true);
        assertThat(factory.bean.calls)
                .containsExactly(
                        "before:all",
                        "all:lights/attic",
                        "after",
                        "rollback",
                        "release",
                        "before:all",
                        "all:lights/attic:dup",
                        "after",
                        "commit",
                        "release");
        assertThat(delivery.acks).hasValue(1);
    }

    @Test
    void aMessageWhoseTransactionWasPreparedBeforeACrashWaitsForRecoveryAndIsNotRepeatedWhenItCommitted()
            throws Exception {
        InMemoryTransactionStore store = new InMemoryTransactionStore();
        Xid xid = new TestXid(42);
        store.prepare(TransactionId.of(xid), List.of(), List.of(new Acknowledgement("test-client", 5L)))
                .join();
        MqttResourceManager restarted =
                new MqttResourceManager(store, m -> CompletableFuture.completedFuture(null), 1_000);
        restarted.loadPrepared();
        Factory factory = new Factory(0, true);
        EndpointInvoker invoker = new EndpointInvoker(
                factory,
                methods,
                restarted,
                "test-client",
                new RedeliveryPolicy(0, 1, null),
                new DeadLetters(() -> null, "test-client", "Bean"),
                metrics);
        TestDelivery again = new TestDelivery("lights/kitchen", "ON", 3);
        again.messageId = 5;

        Thread delivering = new Thread(() -> {
            try {
                invoker.deliver(again, () -> true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        delivering.start();
        Thread.sleep(300);
        assertThat(delivering.isAlive()).as("held while in doubt").isTrue();
        assertThat(factory.bean.calls).isEmpty();

        restarted.newXAResource(null).commit(xid, false); // the transaction manager's recovery
        delivering.join(5_000);
        assertThat(delivering.isAlive()).isFalse();
        assertThat(factory.bean.calls).as("not given to the bean again").isEmpty();
        assertThat(again.acks).hasValue(1);
    }

    @Test
    void aTransactedDeliveryRecordsWhichMessageItTakesAtPrepare() throws Exception {
        InMemoryTransactionStore store = new InMemoryTransactionStore();
        MqttResourceManager manager =
                new MqttResourceManager(store, m -> CompletableFuture.completedFuture(null), 1_000);
        Factory factory = new Factory(0, true);
        Xid[] seen = new Xid[1];
        // A container that runs two-phase commit (a second resource in the bean's transaction) and stops after prepare.
        factory.bean.prepareOnly = x -> seen[0] = x;
        EndpointInvoker invoker = new EndpointInvoker(
                factory,
                methods,
                manager,
                "test-client",
                new RedeliveryPolicy(0, 1, null),
                new DeadLetters(() -> null, "test-client", "Bean"),
                metrics);
        TestDelivery delivery = new TestDelivery("lights/kitchen", "ON", 3);
        delivery.messageId = 77;
        invoker.deliver(delivery, () -> true);
        assertThat(store.loadPrepared()).hasSize(1);
        assertThat(store.loadPrepared().get(0).acknowledgements())
                .containsExactly(new Acknowledgement("test-client", 77L));
    }

    @Test
    void withoutSubscriptionIdentifiersTheFiltersAreMatchedLocally() throws Exception {
        Factory factory = new Factory(0);
        invoker(factory, 0).deliver(new TestDelivery("lights/porch", "ON"), () -> true);
        assertThat(factory.bean.calls)
                .containsExactly(
                        "before:all",
                        "all:lights/porch",
                        "after",
                        "release",
                        "before:lights",
                        "lights:ON",
                        "after",
                        "release");
    }
}
