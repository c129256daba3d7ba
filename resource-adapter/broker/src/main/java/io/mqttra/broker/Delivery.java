package io.mqttra.broker;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One message handed to a {@link LocalSubscriber}. */
public interface Delivery {

    /** The message, with the QoS granted for this delivery (the minimum of published and subscribed QoS). */
    ApplicationMessage message();

    /** True when the message is delivered again (the first attempt was not acknowledged). */
    boolean dup();

    /** The identifiers of the subscriptions of the local session that this message matched. */
    List<Integer> subscriptionIdentifiers();

    /**
     * The broker-wide id of the delivered message: the same when the message is delivered again, also after a
     * restart (it is the id under which the session's queue stores it); 0 for QoS 0, which is never stored.
     * Lets a transactional receiver tell a message it already took from a new one.
     */
    default long messageId() {
        return 0;
    }

    /**
     * Delivery attempts of this message to the session begun so far ({@link #countDelivery()}), including those
     * before a restart when the session's queue is durable: lets a receiver keep a redelivery limit across crashes.
     */
    default int deliveryCount() {
        return 0;
    }

    /**
     * A delivery attempt begins: adds one to {@link #deliveryCount()}, durably where the message is stored. The
     * future completes once the new count survives a crash (at once for a message that is not stored).
     */
    default CompletableFuture<Void> countDelivery() {
        return CompletableFuture.completedFuture(null);
    }

    /** Marks the delivery as done; for QoS 1 and 2 the broker then forgets it. Idempotent. */
    void acknowledge();

    /**
     * {@link #acknowledge()}, and a future that completes once the broker's forgetting it is durable: after a crash
     * from then on the message is not delivered again. Idempotent (the same future).
     */
    default CompletableFuture<Void> acknowledgeDurably() {
        acknowledge();
        return CompletableFuture.completedFuture(null);
    }
}
