package io.mqttra.broker.store;

/**
 * A subscription as stored.
 *
 * @param filter                 topic filter as subscribed, including a {@code $share/group/} prefix
 * @param qos                    maximum QoS granted
 * @param noLocal                MQTT 5 No Local option
 * @param retainAsPublished      MQTT 5 Retain As Published option
 * @param retainHandling         MQTT 5 Retain Handling option (0, 1 or 2)
 * @param subscriptionIdentifier MQTT 5 subscription identifier, 0 when none
 */
public record StoredSubscription(
        String filter,
        int qos,
        boolean noLocal,
        boolean retainAsPublished,
        int retainHandling,
        int subscriptionIdentifier) {}
