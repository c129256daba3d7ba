package io.mqttra.broker;

import java.util.List;

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

    /** Marks the delivery as done; for QoS 1 and 2 the broker then forgets it. Idempotent. */
    void acknowledge();
}
