package io.mqttra.broker.store;

import io.mqttra.broker.ApplicationMessage;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * A transaction branch that was prepared and not yet committed or rolled back: the messages it publishes if the
 * transaction manager commits it (in publish order), and the queued messages it then acknowledges.
 *
 * @param messageSeqs the position of each message in the prepared record (what {@link
 *                    ExactlyOnceEnqueue#enqueuePrepared} strikes out once it is routed); null: 0, 1, 2...
 */
public record PreparedTransaction(
        TransactionId xid,
        List<ApplicationMessage> messages,
        List<Acknowledgement> acknowledgements,
        List<Integer> messageSeqs) {

    public PreparedTransaction {
        Objects.requireNonNull(xid, "xid");
        messages = List.copyOf(messages);
        acknowledgements = acknowledgements == null ? List.of() : List.copyOf(acknowledgements);
        messageSeqs = messageSeqs == null
                ? IntStream.range(0, messages.size()).boxed().toList()
                : List.copyOf(messageSeqs);
        if (messageSeqs.size() != messages.size()) {
            throw new IllegalArgumentException(messageSeqs.size() + " positions for " + messages.size() + " messages");
        }
    }

    public PreparedTransaction(
            TransactionId xid, List<ApplicationMessage> messages, List<Acknowledgement> acknowledgements) {
        this(xid, messages, acknowledgements, null);
    }

    public PreparedTransaction(TransactionId xid, List<ApplicationMessage> messages) {
        this(xid, messages, List.of());
    }
}
