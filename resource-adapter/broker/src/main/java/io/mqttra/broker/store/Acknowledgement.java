package io.mqttra.broker.store;

import java.util.Objects;

/**
 * A message that a transaction branch takes from a local session's queue (a transacted delivery to a message-driven
 * bean): acknowledged if the branch commits, delivered again if it rolls back.
 *
 * @param clientId  the local session
 * @param messageId the broker-wide id of the queued message (stable across restarts)
 */
public record Acknowledgement(String clientId, long messageId) {

    public Acknowledgement {
        Objects.requireNonNull(clientId, "clientId");
    }
}
