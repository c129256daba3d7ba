package io.mqttra.ra.inflow;

import io.mqttra.api.MqttMessageListener;
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
 * </ul>
 * The topic filters are not here: they are on the bean's methods ({@link io.mqttra.api.OnMqttMessage}).
 */
@Activation(messageListeners = MqttMessageListener.class)
public class MqttActivationSpec implements ActivationSpec, ResourceAdapterAssociation {

    static final int DEFAULT_MAX_CONCURRENCY = 16;

    @ConfigProperty(description = "Client identifier of the bean's MQTT session; default derived from application and bean")
    private String clientId;

    @ConfigProperty(defaultValue = "16", description = "Messages delivered to the bean at the same time; 1 keeps the delivery order")
    private Integer maxConcurrency = DEFAULT_MAX_CONCURRENCY;

    private ResourceAdapter resourceAdapter;

    @Override
    public void validate() throws InvalidPropertyException {
        if (clientId != null && clientId.isBlank()) {
            throw new InvalidPropertyException("clientId must not be blank; leave it unset for a derived one");
        }
        if (maxConcurrency == null || maxConcurrency < 1) {
            throw new InvalidPropertyException("maxConcurrency must be at least 1, not " + maxConcurrency);
        }
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
        return "MqttActivationSpec[clientId=" + clientId + ", maxConcurrency=" + maxConcurrency + "]";
    }
}
