package io.mqttra.ra.inflow;

import io.mqttra.api.MqttMessageListener;
import io.mqttra.ra.Topics;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.Activation;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.ConfigProperty;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterAssociation;

/**
 * The activation config of one message-driven bean, set with {@code @ActivationConfigProperty}:
 * <ul>
 *   <li>{@code clientId}: the client identifier of the bean's MQTT session; by default one derived from the
 *       application and bean, so that each bean has its own session.</li>
 *   <li>{@code maxConcurrency}: how many messages are delivered to the bean at the same time (default 16).
 *       1 keeps the order in which the broker delivers; more than the bean's pool size only waits for the pool.</li>
 *   <li>{@code sharedSubscriptionGroup}: subscribe as {@code $share/<group>/<filter>}, so that beans (or devices)
 *       in the same group share the messages instead of each getting all of them.</li>
 *   <li>{@code redeliveryLimit} (default 5) and {@code redeliveryDelayMillis} (default 1000): a message the bean did
 *       not take (its method threw or its transaction rolled back) is delivered again, flagged DUP, after the
 *       delay, at most this many more times.</li>
 *   <li>{@code deadLetterTopic}: where a message goes after the last failed attempt, with the reason as a user
 *       property; default {@code $dead-letter/<clientId>}; empty to drop such messages (logged).</li>
 * </ul>
 * The topic filters are not here: they are on the bean's methods ({@link io.mqttra.api.OnMqttMessage}).
 */
@Activation(messageListeners = MqttMessageListener.class)
public class MqttActivationSpec implements ActivationSpec, ResourceAdapterAssociation {

    static final int DEFAULT_MAX_CONCURRENCY = 16;
    static final int DEFAULT_REDELIVERY_LIMIT = 5;
    static final long DEFAULT_REDELIVERY_DELAY_MILLIS = 1000;
    static final String DEAD_LETTER_PREFIX = "$dead-letter/";

    @ConfigProperty(
            description = "Client identifier of the bean's MQTT session; default derived from application and bean")
    private String clientId;

    @ConfigProperty(
            defaultValue = "16",
            description = "Messages delivered to the bean at the same time; 1 keeps the delivery order")
    private Integer maxConcurrency = DEFAULT_MAX_CONCURRENCY;

    @ConfigProperty(description = "Shared subscription group: the bean subscribes as $share/<group>/<filter>")
    private String sharedSubscriptionGroup;

    @ConfigProperty(
            defaultValue = "5",
            description = "How many times a message the bean did not take is delivered again"
                    + " before it is dead-lettered; counted with the stored message, so it holds across restarts")
    private Integer redeliveryLimit = DEFAULT_REDELIVERY_LIMIT;

    @ConfigProperty(
            defaultValue = "1000",
            description = "Milliseconds before a message the bean did not take is delivered again")
    private Long redeliveryDelayMillis = DEFAULT_REDELIVERY_DELAY_MILLIS;

    @ConfigProperty(
            description =
                    "Topic for messages the bean kept refusing; default $dead-letter/<clientId>, empty to drop them")
    private String deadLetterTopic;

    private ResourceAdapter resourceAdapter;

    @Override
    public void validate() throws InvalidPropertyException {
        if (clientId != null && clientId.isBlank()) {
            throw new InvalidPropertyException("clientId must not be blank; leave it unset for a derived one");
        }
        if (maxConcurrency == null || maxConcurrency < 1) {
            throw new InvalidPropertyException("maxConcurrency must be at least 1, not " + maxConcurrency);
        }
        if (sharedSubscriptionGroup != null
                && (sharedSubscriptionGroup.isEmpty() || sharedSubscriptionGroup.matches(".*[/+#].*"))) {
            // [MQTT-4.8.2-2] a ShareName is at least one character and contains no "/", "+" or "#"
            throw new InvalidPropertyException("sharedSubscriptionGroup must be non-empty without '/', '+' or '#': '"
                    + sharedSubscriptionGroup + "'");
        }
        if (redeliveryLimit == null || redeliveryLimit < 0) {
            throw new InvalidPropertyException("redeliveryLimit must be 0 or more, not " + redeliveryLimit);
        }
        if (redeliveryDelayMillis == null || redeliveryDelayMillis < 0) {
            throw new InvalidPropertyException("redeliveryDelayMillis must be 0 or more, not " + redeliveryDelayMillis);
        }
        String topicProblem =
                deadLetterTopic == null || deadLetterTopic.isEmpty() ? null : Topics.topicNameProblem(deadLetterTopic);
        if (topicProblem != null) {
            throw new InvalidPropertyException("deadLetterTopic '" + deadLetterTopic + "': " + topicProblem);
        }
    }

    /** The topic filter a listener method subscribes with: inside the shared group, if there is one. */
    String subscriptionFilter(String filter) {
        return sharedSubscriptionGroup == null ? filter : "$share/" + sharedSubscriptionGroup + "/" + filter;
    }

    /** The redelivery policy, with the dead-letter topic resolved for the bean's client id. */
    RedeliveryPolicy redeliveryPolicy(String clientId) {
        String topic;
        if (deadLetterTopic == null) {
            // Wildcard characters cannot be in a topic name; a derived client id might contain them.
            topic = DEAD_LETTER_PREFIX + clientId.replace('+', '_').replace('#', '_');
        } else {
            topic = deadLetterTopic.isEmpty() ? null : deadLetterTopic;
        }
        return new RedeliveryPolicy(redeliveryLimit, redeliveryDelayMillis, topic);
    }

    public String getClientId() {
        return clientId;
    }

    public void setClientId(String clientId) {
        this.clientId = clientId;
    }

    public Integer getMaxConcurrency() {
        return maxConcurrency;
    }

    public void setMaxConcurrency(Integer maxConcurrency) {
        this.maxConcurrency = maxConcurrency;
    }

    public String getSharedSubscriptionGroup() {
        return sharedSubscriptionGroup;
    }

    public void setSharedSubscriptionGroup(String sharedSubscriptionGroup) {
        this.sharedSubscriptionGroup = sharedSubscriptionGroup;
    }

    public Integer getRedeliveryLimit() {
        return redeliveryLimit;
    }

    public void setRedeliveryLimit(Integer redeliveryLimit) {
        this.redeliveryLimit = redeliveryLimit;
    }

    public Long getRedeliveryDelayMillis() {
        return redeliveryDelayMillis;
    }

    public void setRedeliveryDelayMillis(Long redeliveryDelayMillis) {
        this.redeliveryDelayMillis = redeliveryDelayMillis;
    }

    public String getDeadLetterTopic() {
        return deadLetterTopic;
    }

    public void setDeadLetterTopic(String deadLetterTopic) {
        this.deadLetterTopic = deadLetterTopic;
    }

    @Override
    public ResourceAdapter getResourceAdapter() {
        return resourceAdapter;
    }

    @Override
    public void setResourceAdapter(ResourceAdapter resourceAdapter) throws ResourceException {
        this.resourceAdapter = resourceAdapter;
    }

    @Override
    public String toString() {
        return "MqttActivationSpec[clientId=" + clientId + ", maxConcurrency=" + maxConcurrency
                + ", sharedSubscriptionGroup=" + sharedSubscriptionGroup + ", redeliveryLimit=" + redeliveryLimit
                + ", redeliveryDelayMillis=" + redeliveryDelayMillis + ", deadLetterTopic=" + deadLetterTopic + "]";
    }
}
