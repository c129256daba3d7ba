package io.mqttra.broker.store;

import io.mqttra.broker.ApplicationMessage;
import java.util.List;

/**
 * A message waiting for, or in flight to, one session.
 *
 * @param messageId               broker-wide message id (one stored message may be queued for many sessions)
 * @param message                 the message as published
 * @param qos                     QoS of this delivery (1 or 2)
 * @param retain                  RETAIN flag to send
 * @param subscriptionIdentifiers subscription identifiers to send with it
 * @param packetId                packet identifier once sent, 0 while only queued
 * @param released                QoS 2: PUBREC received, only the PUBREL/PUBCOMP exchange remains
 * @param deliveryCount           delivery attempts to a local session begun so far ({@link MessageStore#countDelivery})
 * @param receivedAtMillis        when the broker received the message (epoch ms): its message expiry interval
 *                                counts from here, also across restarts [MQTT-3.3.2-5] [MQTT-3.3.2-6]
 * @param position                the entry's place in the session's queue, set by the store: later entries have
 *                                higher positions; a page load continues after the last position it returned
 */
public record QueuedMessage(
        long messageId,
        ApplicationMessage message,
        int qos,
        boolean retain,
        List<Integer> subscriptionIdentifiers,
        int packetId,
        boolean released,
        int deliveryCount,
        long receivedAtMillis,
        long position) {

    public QueuedMessage {
        subscriptionIdentifiers = subscriptionIdentifiers == null ? List.of() : List.copyOf(subscriptionIdentifiers);
    }

    /** A message received now, never delivered, without a store position. */
    public QueuedMessage(
            long messageId,
            ApplicationMessage message,
            int qos,
            boolean retain,
            List<Integer> subscriptionIdentifiers,
            int packetId,
            boolean released) {
        this(
                messageId,
                message,
                qos,
                retain,
                subscriptionIdentifiers,
                packetId,
                released,
                0,
                System.currentTimeMillis(),
                0);
    }

    /** The same entry with other delivery state. */
    public QueuedMessage with(int packetId, boolean released, int deliveryCount) {
        return new QueuedMessage(
                messageId,
                message,
                qos,
                retain,
                subscriptionIdentifiers,
                packetId,
                released,
                deliveryCount,
                receivedAtMillis,
                position);
    }
}
