package io.mqttra.ra.inflow;

import io.mqttra.api.MqttMessage;
import io.mqttra.api.MqttMessageListener;
import io.mqttra.api.OnMqttMessage;
import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.Delivery;
import io.mqttra.broker.MqttBroker;
import io.mqttra.ra.MqttResourceAdapter;
import io.mqttra.ra.SimpleEndpointFactory;
import io.mqttra.ra.TestAdapters;
import io.mqttra.ra.ThreadPoolWorkManager;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM of {@link PoisonMessageTest}: one life of a server whose message-driven bean halts the JVM on a poison
 * message. Runs the real adapter on a data directory, with the bean's session and the adapter's
 * {@link EndpointInvoker}; with argument {@code publish} it publishes the message first. Prints {@code INVOKED
 * dup=...} when the bean gets the message (then halts with 97), {@code DEAD attempts=...} when the dead letter
 * arrives (then exits with 0).
 */
public final class PoisonMessageChild {

    static final int REDELIVERY_LIMIT = 1;

    /** The bean and its endpoint in one, as the container's proxy is an instance of the bean class. */
    public static final class PoisonBean implements MqttMessageListener, MessageEndpoint {

        @OnMqttMessage(value = "poison/#", qos = 1)
        public void onMessage(MqttMessage message) {
            System.out.println("INVOKED dup=" + message.dup());
            System.out.flush();
            Runtime.getRuntime().halt(97); // what a bean that brings the server down does to it
        }

        @Override
        public void beforeDelivery(Method method) {}

        @Override
        public void afterDelivery() {}

        @Override
        public void release() {}
    }

    public static void main(String[] args) throws Exception {
        ThreadPoolWorkManager workManager = new ThreadPoolWorkManager();
        MqttResourceAdapter adapter = TestAdapters.startedOn(args[0], workManager);
        MqttBroker broker = adapter.broker();

        BlockingQueue<Delivery> dead = new LinkedBlockingQueue<>();
        broker.openLocalSession("operator", dead::add).subscribe("dead/poison", 1, 1);
        String clientId = "mdb:poison";
        EndpointInvoker invoker = new EndpointInvoker(
                new SimpleEndpointFactory<>(PoisonBean.class, PoisonBean::new),
                ListenerMethods.scan(PoisonBean.class),
                adapter.resourceManager(),
                clientId,
                new RedeliveryPolicy(REDELIVERY_LIMIT, 10, "dead/poison"),
                new DeadLetters(adapter::broker, clientId, PoisonBean.class.getName()),
                broker.metrics());
        // A plain thread stands in for the dispatcher's Work: this JVM is a test's, not the server's.
        broker.openLocalSession(
                        clientId,
                        d -> new Thread(
                                        () -> {
                                            try {
                                                invoker.deliver(d, () -> true);
                                            } catch (InterruptedException e) {
                                                Thread.currentThread().interrupt();
                                            }
                                        },
                                        "delivery")
                                .start())
                .subscribe("poison/#", 1, 1);
        if (args.length > 1 && args[1].equals("publish")) {
            broker.publish(new ApplicationMessage("poison/1", "kill".getBytes(StandardCharsets.UTF_8), 1, false, null))
                    .get(10, TimeUnit.SECONDS);
        }
        Delivery letter = dead.poll(30, TimeUnit.SECONDS);
        if (letter != null) {
            System.out.println("DEAD attempts="
                    + letter.message().properties().userProperties().stream()
                            .filter(u -> u.name().equals(DeadLetters.ATTEMPTS))
                            .findFirst()
                            .orElseThrow()
                            .value());
            letter.acknowledge();
        }
        System.out.flush();
        adapter.stop();
        workManager.close();
        System.exit(letter != null ? 0 : 2);
    }

    private PoisonMessageChild() {}
}
