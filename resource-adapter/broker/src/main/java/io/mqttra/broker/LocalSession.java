package io.mqttra.broker;

/** A session inside the server, opened with {@link MqttBroker#openLocalSession}. */
public interface LocalSession extends AutoCloseable {

    String clientId();

    /**
     * Subscribes to a topic filter.
     *
     * @param topicFilter            filter with MQTT wildcards
     * @param maxQos                 maximum QoS of deliveries on this subscription
     * @param subscriptionIdentifier positive id reported back in {@link Delivery#subscriptionIdentifiers()}
     * @throws IllegalArgumentException if the filter is not a valid MQTT topic filter
     */
    void subscribe(String topicFilter, int maxQos, int subscriptionIdentifier);

    void unsubscribe(String topicFilter);

    /** Ends the session: its subscriptions are removed. */
    @Override
    void close();
}
