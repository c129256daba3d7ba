package io.mqttra.ra.inflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttra.api.MqttMessage;
import io.mqttra.api.MqttMessageListener;
import io.mqttra.api.OnMqttMessage;
import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.Delivery;
import jakarta.resource.spi.UnavailableException;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.transaction.xa.XAResource;
import org.junit.jupiter.api.Test;

/** Unit test of {@link EndpointInvoker} with a hand-written endpoint factory standing in for the EJB container. */
class EndpointInvokerTest {

    /** The bean and its endpoint proxy in one: the container's proxy is an instance of the bean class. */
    public static class Bean implements MqttMessageListener, MessageEndpoint {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @OnMqttMessage("lights/+")
        public void lights(String text) {
            calls.add("lights:" + text);
        }

        @OnMqttMessage("lights/#")
        public void all(MqttMessage message) {
            calls.add("all:" + message.topic());
        }

        @OnMqttMessage("fail")
        public void fail(String text) {
            calls.add("fail");
            throw new IllegalStateException("bean failed on purpose");
        }

        @Override
        public void beforeDelivery(Method method) {
            calls.add("before:" + method.getName());
        }

        @Override
        public void afterDelivery() {
            calls.add("after");
        }

        @Override
        public void release() {
            calls.add("release");
        }
    }

    private static final class Factory implements MessageEndpointFactory {
        final Bean bean = new Bean();
        final AtomicInteger refusals;

        Factory(int refusals) {
            this.refusals = new AtomicInteger(refusals);
        }

        @Override
        public MessageEndpoint createEndpoint(XAResource xa) throws UnavailableException {
            if (refusals.getAndDecrement() > 0) {
                throw new UnavailableException("pool exhausted");
            }
            return bean;
        }

        @Override
        public MessageEndpoint createEndpoint(XAResource xa, long timeout) throws UnavailableException {
            return createEndpoint(xa);
        }

        @Override
        public boolean isDeliveryTransacted(Method method) {
            return false;
        }

        @Override
        public String getActivationName() {
            return "test";
        }

        @Override
        public Class<?> getEndpointClass() {
            return Bean.class;
        }
    }

    private static final class TestDelivery implements Delivery {
        final ApplicationMessage message;
        final List<Integer> ids;
        final AtomicInteger acks = new AtomicInteger();

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
        public void acknowledge() {
            acks.incrementAndGet();
        }
    }

    private final List<ListenerMethod> methods = scan();

    private static List<ListenerMethod> scan() {
        try {
            return ListenerMethods.scan(Bean.class); // all=1, fail=2, lights=3
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void invokesTheSubscribedMethodBetweenBeforeAndAfterDeliveryThenAcknowledges() throws Exception {
        Factory factory = new Factory(0);
        TestDelivery delivery = new TestDelivery("lights/kitchen", "ON", 3);
        new EndpointInvoker(factory, methods).deliver(delivery, () -> true);
        assertThat(factory.bean.calls).containsExactly("before:lights", "lights:ON", "after", "release");
        assertThat(delivery.acks).hasValue(1);
    }

    @Test
    void overlappingSubscriptionsInvokeEachMatchedMethodOnce() throws Exception {
        Factory factory = new Factory(0);
        TestDelivery delivery = new TestDelivery("lights/kitchen", "ON", 3, 1, 3);
        new EndpointInvoker(factory, methods).deliver(delivery, () -> true);
        assertThat(factory.bean.calls).containsExactly("before:lights", "lights:ON", "after",
                "before:all", "all:lights/kitchen", "after", "release");
    }

    @Test
    void exhaustedBeanPoolDelaysDeliveryInsteadOfDroppingIt() throws Exception {
        Factory factory = new Factory(4);
        TestDelivery delivery = new TestDelivery("lights/hall", "OFF", 3);
        new EndpointInvoker(factory, methods).deliver(delivery, () -> true);
        assertThat(factory.refusals.get()).isNegative(); // asked again after each refusal
        assertThat(factory.bean.calls).contains("lights:OFF");
        assertThat(delivery.acks).hasValue(1);
    }

    @Test
    void deactivationWhileWaitingForThePoolLeavesTheMessageUnacknowledged() throws Exception {
        Factory factory = new Factory(Integer.MAX_VALUE);
        AtomicInteger polls = new AtomicInteger();
        TestDelivery delivery = new TestDelivery("lights/hall", "OFF", 3);
        new EndpointInvoker(factory, methods).deliver(delivery, () -> polls.incrementAndGet() < 3);
        assertThat(factory.bean.calls).isEmpty();
        assertThat(delivery.acks).hasValue(0);
    }

    @Test
    void failingBeanMethodStillEndsTheDeliveryAndReleasesTheEndpoint() throws Exception {
        Factory factory = new Factory(0);
        TestDelivery delivery = new TestDelivery("fail", "x", 2);
        new EndpointInvoker(factory, methods).deliver(delivery, () -> true);
        assertThat(factory.bean.calls).containsExactly("before:fail", "fail", "after", "release");
        assertThat(delivery.acks).hasValue(1);
    }

    @Test
    void withoutSubscriptionIdentifiersTheFiltersAreMatchedLocally() throws Exception {
        Factory factory = new Factory(0);
        new EndpointInvoker(factory, methods).deliver(new TestDelivery("lights/porch", "ON"), () -> true);
        assertThat(factory.bean.calls).containsExactly("before:all", "all:lights/porch", "after",
                "before:lights", "lights:ON", "after", "release");
    }
}
