package io.mqttra.broker.store;

import io.mqttra.broker.ApplicationMessage;
import java.util.List;
import java.util.Objects;

/**
 * A transaction branch that was prepared and not yet committed or rolled back: the messages it publishes if the
 * transaction manager commits it (in publish order), and the queued messages it then acknowledges.
 */
public record PreparedTransaction(TransactionId xid, List<ApplicationMessage> messages,
                                  List<Acknowledgement> acknowledgements) {

    public PreparedTransaction {
        Objects.requireNonNull(xid, "xid");
        messages = List.copyOf(messages);
        acknowledgements = acknowledgements == null ? List.of() : List.copyOf(acknowledgements);
    }

    public PreparedTransaction(TransactionId xid, List<ApplicationMessage> messages) {
        this(xid, messages, List.of());
    }
}
