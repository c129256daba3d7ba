package io.mqttra.ra.inflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqttra.api.MqttMessageListener;
import io.mqttra.api.OnMqttMessage;
import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.BrokerMetrics;
import io.mqttra.broker.Delivery;
import io.mqttra.ra.SimpleEndpointFactory;
import io.mqttra.ra.ThreadPoolWorkManager;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Unit test of {@link DeliveryDispatcher}: a stand-in WorkManager and endpoint factory instead of the server's. */
class DeliveryDispatcherTest {

    static final AtomicInteger running = new AtomicInteger();
    static final AtomicInteger maxRunning = new AtomicInteger();
    static final AtomicInteger delivered = new AtomicInteger();
    static volatile CountDownLatch gate = new CountDownLatch(0);
    static volatile long pauseMillis = 5;

    public static class SlowBean implements MqttMessageListener, MessageEndpoint {
        @OnMqttMessage("t")
        public void on(String text) throws InterruptedException {
            int now = running.incrementAndGet();
            maxRunning.accumulateAndGet(now, Math::max);
            gate.await(5, TimeUnit.SECONDS);
            Thread.sleep(pauseMillis);
            running.decrementAndGet();
            delivered.incrementAndGet();
        }

        @Override
        public void beforeDelivery(Method method) {}

        @Override
        public void afterDelivery() {}

        @Override
        public void release() {}
    }

    private static Delivery delivery(AtomicInteger acks) {
        return delivery(acks, 1);
    }

    private static Delivery delivery(AtomicInteger acks, int qos) {
        ApplicationMessage message = new ApplicationMessage("t", new byte[] {'x'}, qos, false, null);
        return new Delivery() {
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
                return List.of(1);
            }

            @Override
            public void acknowledge() {
                acks.incrementAndGet();
            }
        };
    }

    private static DeliveryDispatcher dispatcher(ThreadPoolWorkManager workManager, int maxConcurrency)
            throws Exception {
        return new DeliveryDispatcher(
                workManager,
                new EndpointInvoker(
                        new SimpleEndpointFactory<>(SlowBean.class, SlowBean::new, "slow"),
                        ListenerMethods.scan(SlowBean.class),
                        null,
                        "slow",
                        new RedeliveryPolicy(0, 0, null),
                        new DeadLetters(() -> null, "slow", "SlowBean"),
                        new BrokerMetrics()),
                maxConcurrency,
                "SlowBean");
    }

    @Test
    void deliversEverythingWithAtMostMaxConcurrencyWorks() throws Exception {
        running.set(0);
        maxRunning.set(0);
        delivered.set(0);
        gate = new CountDownLatch(1);
        AtomicInteger acks = new AtomicInteger();
        try (ThreadPoolWorkManager workManager = new ThreadPoolWorkManager()) {
            DeliveryDispatcher dispatcher = dispatcher(workManager, 3);
            for (int i = 0; i < 50; i++) {
                dispatcher.dispatch(delivery(acks));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == 3);
            assertThat(workManager.started()).isEqualTo(3); // one Work per worker, not per message
            gate.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> acks.get() == 50);
            assertThat(delivered).hasValue(50);
            assertThat(maxRunning.get()).isEqualTo(3);
            assertThat(dispatcher.close(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void closeWaitsForDeliveriesInProgressAndTakesNoMore() throws Exception {
        running.set(0);
        delivered.set(0);
        gate = new CountDownLatch(1);
        AtomicInteger acks = new AtomicInteger();
        try (ThreadPoolWorkManager workManager = new ThreadPoolWorkManager()) {
            DeliveryDispatcher dispatcher = dispatcher(workManager, 1);
            dispatcher.dispatch(delivery(acks));
            dispatcher.dispatch(delivery(acks));
            await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == 1);
            assertThat(dispatcher.close(100, TimeUnit.MILLISECONDS)).isFalse(); // still in the bean
            gate.countDown();
            assertThat(dispatcher.close(5, TimeUnit.SECONDS)).isTrue();
            dispatcher.dispatch(delivery(acks));
            assertThat(acks).hasValue(1); // the queued one and the late one stay with the broker, unacknowledged
        }
    }

    @Test
    void refusedWorkKeepsDeliveriesQueuedUntilTheNextDispatch() throws Exception {
        delivered.set(0);
        gate = new CountDownLatch(0);
        AtomicInteger acks = new AtomicInteger();
        try (ThreadPoolWorkManager workManager = new ThreadPoolWorkManager()) {
            DeliveryDispatcher dispatcher = dispatcher(workManager, 2);
            workManager.refuse(true);
            dispatcher.dispatch(delivery(acks));
            workManager.refuse(false);
            dispatcher.dispatch(delivery(acks));
            await().atMost(Duration.ofSeconds(5)).until(() -> acks.get() == 2);
            dispatcher.close(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFloodOfQos0IsBoundedWhileQos1AlwaysWaits() throws Exception {
        running.set(0);
        delivered.set(0);
        gate = new CountDownLatch(1);
        pauseMillis = 0;
        AtomicInteger acks = new AtomicInteger();
        try (ThreadPoolWorkManager workManager = new ThreadPoolWorkManager()) {
            DeliveryDispatcher dispatcher = dispatcher(workManager, 1);
            int flood = DeliveryDispatcher.MAX_QUEUED_QOS0 + 10;
            for (int i = 0; i < flood; i++) {
                dispatcher.dispatch(delivery(acks, 0));
            }
            for (int i = 0; i < 20; i++) {
                dispatcher.dispatch(delivery(acks, 1));
            }
            assertThat(dispatcher.droppedQos0()).isBetween(9L, 10L);
            gate.countDown();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> delivered.get() == flood - dispatcher.droppedQos0() + 20);
            dispatcher.close(5, TimeUnit.SECONDS);
        } finally {
            pauseMillis = 5;
        }
    }
}
