package io.mqttra.broker.routing;

/**
 * One subscription of a session, with the MQTT 5 subscription options (section 3.8.3.1).
 *
 * @param subscriber             owning session
 * @param filter                 topic filter (without the {@code $share/group/} prefix)
 * @param shareGroup             the share name of a shared subscription, or null
 * @param qos                    maximum QoS granted
 * @param noLocal                do not deliver the session's own publications
 * @param retainAsPublished      keep the RETAIN flag of the publication when forwarding
 * @param retainHandling         0: send retained on subscribe, 1: only if new, 2: never
 * @param subscriptionIdentifier MQTT 5 subscription identifier, 0 when none
 */
public record Subscription(
        Subscriber subscriber,
        String filter,
        String shareGroup,
        int qos,
        boolean noLocal,
        boolean retainAsPublished,
        int retainHandling,
        int subscriptionIdentifier) {

    /** The filter as the client wrote it (with the share prefix for shared subscriptions). */
    public String fullFilter() {
        return shareGroup == null ? filter : Topics.SHARE_PREFIX + shareGroup + "/" + filter;
    }
}
