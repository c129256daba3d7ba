package io.mqttra.ra.inflow;

import io.mqttra.api.MqttMessage;
import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.Delivery;
import io.mqttra.ra.Topics;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.UnavailableException;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Hands one broker delivery to a message-driven bean: takes an endpoint from the container, invokes each bean method
 * whose subscription the message matched between {@code beforeDelivery} and {@code afterDelivery}, releases the
 * endpoint and then acknowledges the delivery to the broker.
 *
 * <p>When the bean's pool is exhausted the container refuses an endpoint ({@link UnavailableException}); the invoker
 * then waits and tries again, so a busy bean slows delivery down instead of losing messages.
 */
final class EndpointInvoker {

    private static final Logger LOG = Logger.getLogger(EndpointInvoker.class.getName());

    static final long FIRST_BACKOFF_MILLIS = 5;
    static final long MAX_BACKOFF_MILLIS = 500;

    private final MessageEndpointFactory endpointFactory;
    private final List<ListenerMethod> methods;
    private volatile boolean warnedNoIdentifiers;

    EndpointInvoker(MessageEndpointFactory endpointFactory, List<ListenerMethod> methods) {
        this.endpointFactory = endpointFactory;
        this.methods = methods;
    }

    /**
     * Delivers and acknowledges. Returns without acknowledging only when {@code active} turned false while waiting
     * for an endpoint (the bean is being undeployed): the broker then still holds the message for the bean's session.
     */
    void deliver(Delivery delivery, BooleanSupplier active) throws InterruptedException {
        ApplicationMessage message = delivery.message();
        List<ListenerMethod> targets = targets(delivery);
        if (!targets.isEmpty()) {
            MessageEndpoint endpoint = createEndpoint(active);
            if (endpoint == null) {
                return;
            }
            MqttMessage received = new MqttMessage(message.topic(), message.payload(), message.qos(), message.retain(),
                    delivery.dup(), message.properties());
            try {
                for (ListenerMethod target : targets) {
                    invoke(endpoint, target, received);
                }
            } finally {
                endpoint.release();
            }
        }
        // Not transacted (yet): a failed bean method is logged above and the message counts as handled.
        delivery.acknowledge();
    }

    private void invoke(MessageEndpoint endpoint, ListenerMethod target, MqttMessage received) {
        try {
            endpoint.beforeDelivery(target.method());
            try {
                target.method().invoke(endpoint, target.argument(received));
            } finally {
                endpoint.afterDelivery();
            }
        } catch (ReflectiveOperationException | ResourceException | RuntimeException e) {
            LOG.warning(() -> "Message-driven bean method " + target.describe() + " failed on a message to topic '"
                    + received.topic() + "': " + FailureCause.describe(e));
            LOG.log(Level.FINE, "Full failure of " + target.describe(), e);
        }
    }

    /** An endpoint from the container, waiting while the bean's pool is exhausted; null once deactivated. */
    private MessageEndpoint createEndpoint(BooleanSupplier active) throws InterruptedException {
        long backoff = FIRST_BACKOFF_MILLIS;
        while (active.getAsBoolean()) {
            try {
                return endpointFactory.createEndpoint(null);
            } catch (UnavailableException e) {
                long wait = backoff;
                LOG.finest(() -> "Bean pool exhausted; retrying in " + wait + " ms");
                Thread.sleep(wait);
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
        }
        return null;
    }

    /** The methods whose subscriptions this message matched, told by the broker through subscription identifiers. */
    private List<ListenerMethod> targets(Delivery delivery) {
        List<Integer> ids = delivery.subscriptionIdentifiers();
        if (ids == null || ids.isEmpty()) {
            return matchLocally(delivery.message().topic());
        }
        if (ids.size() == 1) {
            ListenerMethod only = byIdentifier(ids.get(0));
            return only == null ? List.of() : List.of(only);
        }
        List<ListenerMethod> targets = new ArrayList<>(ids.size());
        for (Integer id : ids) {
            ListenerMethod m = byIdentifier(id);
            if (m != null && !targets.contains(m)) {
                targets.add(m);
            }
        }
        return targets;
    }

    private ListenerMethod byIdentifier(Integer id) {
        if (id == null || id < 1 || id > methods.size()) {
            LOG.warning(() -> "Broker delivered a message with unknown subscription identifier " + id);
            return null;
        }
        return methods.get(id - 1);
    }

    private List<ListenerMethod> matchLocally(String topic) {
        if (!warnedNoIdentifiers) {
            warnedNoIdentifiers = true;
            LOG.warning("Broker delivered without subscription identifiers; matching topic filters in the adapter");
        }
        List<ListenerMethod> targets = new ArrayList<>(1);
        for (ListenerMethod m : methods) {
            if (Topics.matches(m.topicFilter(), topic)) {
                targets.add(m);
            }
        }
        return targets;
    }
}
