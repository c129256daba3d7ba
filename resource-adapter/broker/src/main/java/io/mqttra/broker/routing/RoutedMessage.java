package io.mqttra.broker.routing;

import io.mqttra.broker.ApplicationMessage;
import java.util.List;

/**
 * A message as handed to one session: the application message plus what the match decided for that session.
 *
 * @param message                 the message as published
 * @param messageId               broker-wide id of the message, shared by every session it is queued for
 * @param qos                     QoS of this delivery: min(published, granted) [MQTT-3.8.4-6] / [MQTT-3.3.4-1]
 * @param retain                  RETAIN flag to send
 * @param subscriptionIdentifiers identifiers of the matching subscriptions (MQTT 5)
 * @param receivedAtNanos         when the broker received it, to decrement the message expiry interval
 */
public record RoutedMessage(
        ApplicationMessage message,
        long messageId,
        int qos,
        boolean retain,
        List<Integer> subscriptionIdentifiers,
        long receivedAtNanos) {

    /** Seconds left of the message expiry interval, or -1 when it does not expire; 0 means expired. */
    public long remainingExpirySeconds(long nowNanos) {
        Long interval = message.properties().messageExpiryInterval();
        if (interval == null) {
            return -1;
        }
        long elapsed = (nowNanos - receivedAtNanos) / 1_000_000_000L;
        return Math.max(0, interval - elapsed);
    }

    public boolean isExpired(long nowNanos) {
        Long interval = message.properties().messageExpiryInterval();
        return interval != null && nowNanos - receivedAtNanos >= interval * 1_000_000_000L;
    }
}
