package io.mqttra.ra.inflow;

import io.mqttra.api.PublishProperties;
import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.MqttBroker;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Publishes a message that a bean kept refusing to the bean's dead-letter topic: same payload, QoS and properties,
 * plus user properties that say where it came from and why it ended here, so that an operator (or another bean)
 * can act on it.
 */
final class DeadLetters {

    static final String REASON = "mqtt-ra-dead-letter-reason";
    static final String ORIGINAL_TOPIC = "mqtt-ra-original-topic";
    static final String ATTEMPTS = "mqtt-ra-delivery-attempts";
    static final String CLIENT_ID = "mqtt-ra-client-id";

    private static final Logger LOG = Logger.getLogger(DeadLetters.class.getName());
    private static final long TIMEOUT_SECONDS = 30;

    private final Supplier<MqttBroker> broker;
    private final String clientId;
    private final String beanName;

    DeadLetters(Supplier<MqttBroker> broker, String clientId, String beanName) {
        this.broker = broker;
        this.clientId = clientId;
        this.beanName = beanName;
    }

    /**
     * @return true when the message is durably on the dead-letter topic (or there is none and it was dropped),
     *         false when publishing failed and the message should stay with the bean's session
     */
    boolean send(RedeliveryPolicy policy, ApplicationMessage message, int attempts, String reason) {
        String topic = policy.deadLetterTopic();
        if (topic == null) {
            LOG.warning(() -> "Message to topic '" + message.topic() + "' dropped after " + attempts
                    + " failed deliveries to " + beanName + " (no dead-letter topic configured): " + reason);
            return true;
        }
        PublishProperties.Builder p = PublishProperties.builder();
        PublishProperties original = message.properties();
        if (original.payloadUtf8() != null) {
            p.payloadUtf8(original.payloadUtf8());
        }
        p.contentType(original.contentType())
                .responseTopic(original.responseTopic())
                .correlationData(original.correlationData());
        original.userProperties().forEach(u -> p.userProperty(u.name(), u.value()));
        p.userProperty(REASON, reason)
                .userProperty(ORIGINAL_TOPIC, message.topic())
                .userProperty(ATTEMPTS, Integer.toString(attempts))
                .userProperty(CLIENT_ID, clientId);
        // The dead letter keeps the original QoS but never the RETAIN flag: it is a record, not a topic state.
        ApplicationMessage dead = new ApplicationMessage(topic, message.payload(), message.qos(), false, p.build());
        try {
            broker.get().publish(dead).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            LOG.severe(() -> "Could not publish a dead letter of " + beanName + " to '" + topic + "': " + e
                    + "; the message stays with the bean's session");
            return false;
        }
        LOG.warning(() -> "Message to topic '" + message.topic() + "' moved to dead-letter topic '" + topic + "' after "
                + attempts + " failed deliveries to " + beanName + ": " + reason);
        return true;
    }
}
