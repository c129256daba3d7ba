package io.mqttra.ra.inflow;

import io.mqttra.api.MqttMessage;
import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.BrokerMetrics;
import io.mqttra.broker.Delivery;
import io.mqttra.broker.store.Acknowledgement;
import io.mqttra.ra.Topics;
import io.mqttra.ra.tx.DeliveryOutcome;
import io.mqttra.ra.tx.MqttResourceManager;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.UnavailableException;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.transaction.xa.XAResource;

/**
 * Hands one broker delivery to a message-driven bean: takes an endpoint from the container, invokes each bean method
 * whose subscription the message matched between {@code beforeDelivery} and {@code afterDelivery}, releases the
 * endpoint and then acknowledges the delivery to the broker.
 *
 * <p>Transacted methods ({@code isDeliveryTransacted}: container-managed REQUIRED) get an XAResource of the broker's
 * resource manager with the endpoint, so the container enlists the delivery in the bean's transaction; the message
 * counts as taken only when that transaction commits. Otherwise it counts as taken when the method returns normally.
 * A message not taken is delivered again (DUP) after the policy's delay, up to its limit, then dead-lettered.
 *
 * <p>The transaction of the last method a message goes to also takes the message itself (an {@link Acknowledgement}
 * written at prepare): after a crash, a message whose transaction was prepared is held until the server's recovery
 * decides, and is not given to the bean again if that transaction committed.
 *
 * <p>When the bean's pool is exhausted the container refuses an endpoint ({@link UnavailableException}); the invoker
 * then waits and tries again, so a busy bean slows delivery down instead of losing messages.
 */
final class EndpointInvoker {

    private static final Logger LOG = Logger.getLogger(EndpointInvoker.class.getName());

    static final long FIRST_BACKOFF_MILLIS = 5;
    static final long MAX_BACKOFF_MILLIS = 500;
    private static final long COUNT_TIMEOUT_SECONDS = 30;

    private final MessageEndpointFactory endpointFactory;
    private final List<ListenerMethod> methods;
    private final Set<Method> transacted;
    private final MqttResourceManager resourceManager;
    private final String clientId;
    private final RedeliveryPolicy policy;
    private final DeadLetters deadLetters;
    private final BrokerMetrics metrics;
    private volatile boolean warnedNoIdentifiers;

    /** The outcome of one attempt to hand a message to one bean method. */
    private record Attempt(boolean taken, boolean deactivated, String failure) {
        static final Attempt TAKEN = new Attempt(true, false, null);
        static final Attempt DEACTIVATED = new Attempt(false, true, null);

        static Attempt failed(String reason) {
            return new Attempt(false, false, reason);
        }
    }

    EndpointInvoker(
            MessageEndpointFactory endpointFactory,
            List<ListenerMethod> methods,
            MqttResourceManager resourceManager,
            String clientId,
            RedeliveryPolicy policy,
            DeadLetters deadLetters,
            BrokerMetrics metrics)
            throws ResourceException {
        this.endpointFactory = endpointFactory;
        this.metrics = metrics;
        this.methods = methods;
        this.resourceManager = resourceManager;
        this.clientId = clientId;
        this.policy = policy;
        this.deadLetters = deadLetters;
        // Asked once per activation: the container's answer depends only on the method's transaction attribute.
        Set<Method> t = new HashSet<>();
        for (ListenerMethod m : methods) {
            try {
                if (resourceManager != null && endpointFactory.isDeliveryTransacted(m.method())) {
                    t.add(m.method());
                }
            } catch (NoSuchMethodException e) {
                throw new ResourceException("The container does not know method " + m.describe(), e);
            }
        }
        this.transacted = Set.copyOf(t);
    }

    /** Whether deliveries to this method run in the bean's container-managed transaction. */
    boolean isTransacted(ListenerMethod method) {
        return transacted.contains(method.method());
    }

    /**
     * Delivers to every matching method and acknowledges. Returns without acknowledging when {@code active} turned
     * false (the bean is being undeployed) or a dead letter could not be published: the broker then still holds the
     * message for the bean's session.
     */
    void deliver(Delivery delivery, BooleanSupplier active) throws InterruptedException {
        Acknowledgement acknowledgement = acknowledgementOf(delivery);
        if (acknowledgement != null) {
            Boolean settled = settledByRecovery(acknowledgement, delivery, active);
            if (settled == null || settled) {
                return; // deactivated while held, or already taken by a transaction that committed in recovery
            }
        }
        int begun = delivery.deliveryCount();
        if (begun > 0 && !policy.allowsAnother(begun)) {
            // Every attempt so far ended without an answer: the server stopped (or crashed) while the bean had it.
            if (deadLetter(
                    delivery.message(),
                    begun,
                    begun + " delivery attempt(s) ended without"
                            + " the bean taking or refusing the message (the server stopped during each)")) {
                delivery.acknowledge();
            }
            return;
        }
        int[] attempts = {begun};
        boolean redelivered = delivery.dup() || begun > 0;
        List<ListenerMethod> targets = targets(delivery);
        for (int i = 0; i < targets.size(); i++) {
            boolean last = i == targets.size() - 1;
            if (!deliverTo(
                    targets.get(i), delivery, last ? acknowledgement : null, attempts, i == 0, redelivered, active)) {
                return;
            }
        }
        delivery.acknowledge();
    }

    /** The queued message a transaction takes; null when the broker gave it no stable id (QoS 0). */
    private Acknowledgement acknowledgementOf(Delivery delivery) {
        long id = delivery.messageId();
        return resourceManager == null || id == 0 || transacted.isEmpty() ? null : new Acknowledgement(clientId, id);
    }

    /**
     * After a crash: holds a message whose transaction is prepared until recovery decides; acknowledges it without
     * delivery when that transaction committed. True when settled, false to deliver, null when deactivated.
     */
    private Boolean settledByRecovery(Acknowledgement acknowledgement, Delivery delivery, BooleanSupplier active)
            throws InterruptedException {
        MqttResourceManager.AcknowledgementState state = resourceManager.acknowledgementState(acknowledgement);
        if (state == MqttResourceManager.AcknowledgementState.IN_DOUBT) {
            LOG.info(() ->
                    "Message " + acknowledgement + " on '" + delivery.message().topic() + "' was taken by a"
                            + " prepared transaction before a restart: holding it until transaction recovery decides");
        }
        while (state == MqttResourceManager.AcknowledgementState.IN_DOUBT) {
            if (!pause(200, active)) {
                return null;
            }
            state = resourceManager.acknowledgementState(acknowledgement);
        }
        if (state == MqttResourceManager.AcknowledgementState.COMMITTED) {
            delivery.acknowledge();
            resourceManager.acknowledged(acknowledgement);
            LOG.info(() -> "Message " + acknowledgement + " was taken by a transaction that committed before the"
                    + " restart or in recovery: acknowledged without delivering it again");
            return true;
        }
        return false;
    }

    /**
     * Attempts until the method takes the message or the policy gives up; false: leave it unacknowledged. Each
     * attempt is first counted durably with the message ({@link Delivery#countDelivery}), so that the limit holds
     * across restarts; the first attempt of a further method of the same delivery is not counted again.
     *
     * @param attempts    the message's attempts so far, across restarts (one slot, shared by the delivery's methods)
     * @param redelivered whether the message was delivered before this delivery (DUP on the first attempt)
     */
    private boolean deliverTo(
            ListenerMethod target,
            Delivery delivery,
            Acknowledgement acknowledgement,
            int[] attempts,
            boolean countFirst,
            boolean redelivered,
            BooleanSupplier active)
            throws InterruptedException {
        ApplicationMessage message = delivery.message();
        boolean dup = redelivered;
        boolean count = countFirst;
        while (true) {
            if (count) {
                if (!countAttempt(delivery, active)) {
                    return false;
                }
                attempts[0]++;
            }
            count = true;
            MqttMessage received = new MqttMessage(
                    message.topic(), message.payload(), message.qos(), message.retain(), dup, message.properties());
            Object[] arguments;
            try {
                arguments = target.arguments(received);
            } catch (RuntimeException e) {
                // The payload cannot become the method's parameter; delivering it again would fail the same way.
                return deadLetter(
                        message,
                        Math.max(1, attempts[0]),
                        "the payload cannot be passed to " + target.describe() + ": " + FailureCause.describe(e));
            }
            Attempt attempt = attempt(target, arguments, dup, delivery, acknowledgement, active);
            if (attempt.taken()) {
                return true;
            }
            if (attempt.deactivated()) {
                return false;
            }
            int failed = Math.max(1, attempts[0]);
            if (!policy.allowsAnother(failed)) {
                return deadLetter(message, failed, attempt.failure());
            }
            LOG.warning(() -> "Message-driven bean method " + target.describe() + " did not take a message to topic '"
                    + message.topic() + "' (attempt " + failed + " of " + (policy.limit() + 1) + "): "
                    + attempt.failure()
                    + "; delivering it again in " + policy.delayMillis() + " ms");
            if (!pause(policy.delayMillis(), active)) {
                return false;
            }
            dup = true;
        }
    }

    private boolean deadLetter(ApplicationMessage message, int attempts, String reason) {
        boolean settled = deadLetters.send(policy, message, attempts, reason);
        if (settled) {
            metrics.mdbDeadLettered();
        }
        return settled;
    }

    /**
     * Counts the attempt that is about to begin and waits until the count is durable: a bean that crashes the server
     * must use up its budget. While the store cannot write, waits and tries again; false once deactivated.
     */
    private boolean countAttempt(Delivery delivery, BooleanSupplier active) throws InterruptedException {
        while (true) {
            try {
                delivery.countDelivery().get(COUNT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                return true;
            } catch (ExecutionException | TimeoutException e) {
                LOG.warning(() -> "Could not record a delivery attempt of a message to '"
                        + delivery.message().topic() + "' for " + clientId + " (" + e + "); trying again in "
                        + policy.delayMillis() + " ms");
                if (!pause(Math.max(policy.delayMillis(), 100), active)) {
                    return false;
                }
            }
        }
    }

    /** @param dup whether the bean sees the message flagged as given before (counted as a redelivery) */
    private Attempt attempt(
            ListenerMethod target,
            Object[] arguments,
            boolean dup,
            Delivery delivery,
            Acknowledgement acknowledgement,
            BooleanSupplier active)
            throws InterruptedException {
        boolean inTransaction = transacted.contains(target.method());
        // The last method's transaction takes the message: acknowledged inside its commit.
        DeliveryOutcome outcome = !inTransaction
                ? null
                : new DeliveryOutcome(acknowledgement == null ? null : delivery::acknowledgeDurably);
        XAResource xa = inTransaction ? resourceManager.newXAResource(outcome, acknowledgement) : null;
        MessageEndpoint endpoint = createEndpoint(xa, active);
        if (endpoint == null) {
            return Attempt.DEACTIVATED;
        }
        metrics.mdbDelivery(dup);
        Throwable failure = null;
        Throwable logged;
        ContainerFailures.begin();
        try {
            endpoint.beforeDelivery(target.method());
            try {
                target.method().invoke(endpoint, arguments);
            } catch (ReflectiveOperationException | RuntimeException e) {
                failure = e;
            } finally {
                // The container completes the bean's transaction here: the XAResource hears commit or rollback.
                endpoint.afterDelivery();
            }
        } catch (ResourceException | ReflectiveOperationException | RuntimeException e) {
            if (failure == null) {
                failure = e;
            }
        } finally {
            logged = ContainerFailures.end();
            endpoint.release();
        }
        if (failure != null) {
            if (logged != null) {
                // What the container logged is what the bean threw; what it handed us may be a misleading wrapper.
                failure = logged;
            }
            Throwable f = failure;
            LOG.log(Level.FINE, "Full failure of " + target.describe(), f);
        }
        if (outcome != null && outcome.state() != DeliveryOutcome.State.NONE) {
            if (outcome.state() == DeliveryOutcome.State.COMMITTED) {
                if (failure != null) {
                    Throwable f = failure;
                    LOG.warning(() -> target.describe() + " threw " + FailureCause.describe(f)
                            + " but its transaction committed: the message counts as taken");
                }
                return Attempt.TAKEN;
            }
            return Attempt.failed(
                    failure != null
                            ? FailureCause.describe(failure)
                            : "the bean's transaction rolled back (setRollbackOnly)");
        }
        return failure == null ? Attempt.TAKEN : Attempt.failed(FailureCause.describe(failure));
    }

    /** Sleeps in short steps so that an undeployment is not held up; false once deactivated. */
    private static boolean pause(long millis, BooleanSupplier active) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (active.getAsBoolean()) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return true;
            }
            Thread.sleep(Math.min(left, 100));
        }
        return false;
    }

    /** An endpoint from the container, waiting while the bean's pool is exhausted; null once deactivated. */
    private MessageEndpoint createEndpoint(XAResource xa, BooleanSupplier active) throws InterruptedException {
        long backoff = FIRST_BACKOFF_MILLIS;
        while (active.getAsBoolean()) {
            try {
                return endpointFactory.createEndpoint(xa);
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
