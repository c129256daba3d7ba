package io.mqttra.ra.inflow;

import io.mqttra.broker.LocalSession;
import io.mqttra.broker.MqttBroker;
import io.mqttra.ra.tx.MqttResourceManager;
import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import jakarta.resource.spi.work.WorkManager;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One message-driven bean bound to the broker: an MQTT session without a socket whose subscriptions are the bean's
 * {@code @OnMqttMessage} methods (subscription identifier = method index + 1), and whose deliveries go to the bean.
 */
public final class MqttActivation {

    private static final Logger LOG = Logger.getLogger(MqttActivation.class.getName());
    private static final long DEACTIVATION_TIMEOUT_SECONDS = 30;

    private final String clientId;
    private final String beanName;
    private final List<ListenerMethod> methods;
    private final DeliveryDispatcher dispatcher;
    private final MqttActivationSpec spec;
    private volatile LocalSession session;
    private boolean capturingFailures;
    private boolean released;

    private MqttActivation(
            String clientId,
            String beanName,
            List<ListenerMethod> methods,
            DeliveryDispatcher dispatcher,
            MqttActivationSpec spec) {
        this.clientId = clientId;
        this.beanName = beanName;
        this.methods = methods;
        this.dispatcher = dispatcher;
        this.spec = spec;
    }

    /**
     * Scans the bean class, opens its session and subscribes each listener method.
     *
     * @throws NotSupportedException when a listener method cannot be bound (the deployment fails with the reason)
     */
    public static MqttActivation activate(
            MqttBroker broker,
            MqttResourceManager resourceManager,
            WorkManager workManager,
            MessageEndpointFactory endpointFactory,
            MqttActivationSpec spec)
            throws ResourceException {
        Class<?> beanClass = endpointFactory.getEndpointClass();
        List<ListenerMethod> methods = ListenerMethods.scan(beanClass);
        String clientId = clientId(endpointFactory, spec);
        RedeliveryPolicy policy = spec.redeliveryPolicy(clientId);
        DeadLetters deadLetters = new DeadLetters(() -> broker, clientId, beanClass.getName());
        EndpointInvoker invoker = new EndpointInvoker(
                endpointFactory, methods, resourceManager, clientId, policy, deadLetters, broker.metrics());
        DeliveryDispatcher dispatcher =
                new DeliveryDispatcher(workManager, invoker, spec.getMaxConcurrency(), beanClass.getName());
        MqttActivation activation = new MqttActivation(clientId, beanClass.getName(), methods, dispatcher, spec);
        activation.open(broker);
        return activation;
    }

    private void open(MqttBroker broker) throws ResourceException {
        LocalSession opened;
        try {
            opened = broker.openLocalSession(clientId, dispatcher::dispatch);
        } catch (RuntimeException e) {
            throw new ResourceException(
                    "Cannot open the MQTT session '" + clientId + "' of message-driven bean " + beanName + ": "
                            + e.getMessage(),
                    e);
        }
        session = opened;
        try {
            for (ListenerMethod m : methods) {
                opened.subscribe(spec.subscriptionFilter(m.topicFilter()), m.qos(), m.subscriptionIdentifier());
            }
        } catch (RuntimeException e) {
            deactivate();
            throw new NotSupportedException(
                    "Cannot subscribe message-driven bean " + beanName + ": " + e.getMessage(), e);
        }
        synchronized (this) {
            ContainerFailures.install();
            capturingFailures = true;
        }
        LOG.info(() -> "Message-driven bean " + beanName + " subscribed as MQTT client '" + clientId + "' to "
                + methods.stream()
                        .map(m -> spec.subscriptionFilter(m.topicFilter()) + " (QoS " + m.qos() + ") -> "
                                + m.method().getName())
                        .toList()
                + ", " + spec);
    }

    /** Stops deliveries, waits for those in progress, and ends the session. Idempotent. */
    public void deactivate() {
        try {
            if (!dispatcher.close(DEACTIVATION_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warning(() -> "Deliveries to " + beanName + " still running " + DEACTIVATION_TIMEOUT_SECONDS
                        + " s after deactivation");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LocalSession closing = session;
        session = null;
        synchronized (this) {
            if (capturingFailures) {
                capturingFailures = false;
                ContainerFailures.uninstall();
            }
            if (!released) {
                released = true;
                methods.stream()
                        .map(ListenerMethod::json)
                        .filter(java.util.Objects::nonNull)
                        .findFirst()
                        .ifPresent(JsonPayloads::close);
            }
        }
        if (closing != null) {
            try {
                closing.close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Closing the MQTT session of " + beanName + " failed", e);
            }
            LOG.info(() -> "Message-driven bean " + beanName + " unsubscribed (MQTT client '" + clientId + "')");
        }
    }

    public String clientId() {
        return clientId;
    }

    public String beanName() {
        return beanName;
    }

    /** The client identifier of the bean's session: the one its activation config names, or a derived one. */
    public static String clientId(MessageEndpointFactory endpointFactory, MqttActivationSpec spec) {
        return spec.getClientId() != null
                ? spec.getClientId()
                : derivedClientId(endpointFactory, endpointFactory.getEndpointClass());
    }

    /**
     * The client identifier a bean gets when it names none: the container's activation name (unique per bean in the
     * server, JCA 1.7) or else the bean class. The prefix keeps it apart from device client identifiers.
     */
    private static String derivedClientId(MessageEndpointFactory endpointFactory, Class<?> beanClass) {
        String name = endpointFactory.getActivationName();
        return "mdb:" + (name == null || name.isBlank() ? beanClass.getName() : name);
    }
}
