package io.mqttra.api.admin;

/**
 * One subscription, with its MQTT 5 options (MQTT 5.0 section 3.8.3.1).
 *
 * @param clientId               owner of the subscription
 * @param topicFilter            the filter as the client wrote it ({@code $share/group/...} for shared subscriptions)
 * @param shareGroup             share name of a shared subscription, or null
 * @param qos                    maximum QoS granted
 * @param noLocal                the client's own publications are not sent back to it
 * @param retainAsPublished      forwarded messages keep the RETAIN flag they were published with
 * @param retainHandling         0: retained messages on subscribe, 1: only for a new subscription, 2: never
 * @param subscriptionIdentifier MQTT 5 subscription identifier, 0 when none
 */
public record SubscriptionInfo(
        String clientId,
        String topicFilter,
        String shareGroup,
        int qos,
        boolean noLocal,
        boolean retainAsPublished,
        int retainHandling,
        int subscriptionIdentifier) {}
