package io.mqttra.broker.store;

import io.mqttra.broker.ApplicationMessage;
import java.util.List;
import java.util.Set;

/**
 * A persistent session as stored (a session whose state outlives its network connection).
 *
 * @param clientId              client identifier
 * @param protocolLevel         4 for MQTT 3.1.1, 5 for MQTT 5.0 (3 for 3.1)
 * @param expiryIntervalSeconds session expiry interval; 0xFFFFFFFF never expires
 * @param will                  will message of the current connection, or null
 * @param willDelaySeconds      MQTT 5 will delay interval
 * @param subscriptions         subscriptions (only filled by {@link SessionStore#loadSessions()})
 * @param incomingQos2          packet identifiers of QoS 2 PUBLISHes received and routed but not yet released
 *                              by PUBREL (only filled by {@link SessionStore#loadSessions()})
 * @param disconnectedAtMillis  when the session lost its connection (epoch ms), the start of its expiry interval;
 *                              null when not known (only filled by {@link SessionStore#loadSessions()})
 */
public record StoredSession(
        String clientId,
        int protocolLevel,
        long expiryIntervalSeconds,
        ApplicationMessage will,
        long willDelaySeconds,
        List<StoredSubscription> subscriptions,
        Set<Integer> incomingQos2,
        Long disconnectedAtMillis) {

    public StoredSession {
        subscriptions = subscriptions == null ? List.of() : List.copyOf(subscriptions);
        incomingQos2 = incomingQos2 == null ? Set.of() : Set.copyOf(incomingQos2);
    }

    /** A session as the engine saves it: its disconnect time is recorded by {@link SessionStore#sessionDisconnected}. */
    public StoredSession(
            String clientId,
            int protocolLevel,
            long expiryIntervalSeconds,
            ApplicationMessage will,
            long willDelaySeconds,
            List<StoredSubscription> subscriptions,
            Set<Integer> incomingQos2) {
        this(clientId, protocolLevel, expiryIntervalSeconds, will, willDelaySeconds, subscriptions, incomingQos2, null);
    }

    public StoredSession withState(List<StoredSubscription> subs, Set<Integer> qos2) {
        return new StoredSession(
                clientId,
                protocolLevel,
                expiryIntervalSeconds,
                will,
                willDelaySeconds,
                subs,
                qos2,
                disconnectedAtMillis);
    }
}
