package io.mqttra.broker.store;

import io.mqttra.broker.ApplicationMessage;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Optional capability of a {@link MessageStore}: enqueue a QoS 2 message and record the publisher's packet id
 * as received ({@link SessionStore#addIncomingQos2}) in ONE atomic write.
 *
 * <p>Why: the broker answers PUBREC once both are durable. If only the packet id survived a crash, the
 * client's resend would be taken for a duplicate and the message lost; if only the message survived, the
 * resend would be routed again and delivered twice. A store without this capability gets two separate writes
 * (packet id first), which is exact only if both land in the same commit.
 *
 * <p>The same holds for a message that a committed XA branch publishes ({@link #enqueuePrepared}): if its queue
 * entries survived a crash but the branch's prepared record did not learn that it was routed, the transaction
 * manager's recovery would commit the branch again and route the message twice.
 */
public interface ExactlyOnceEnqueue {

    /**
     * Atomically: {@link MessageStore#enqueue} (references may be empty: then only the receipt is written) and
     * {@link SessionStore#addIncomingQos2}{@code (publisherClientId, packetId)}.
     */
    CompletableFuture<Void> enqueueWithReceipt(
            long messageId,
            ApplicationMessage message,
            List<MessageStore.Reference> references,
            String publisherClientId,
            int packetId);

    /**
     * Atomically: {@link MessageStore#enqueue} (references may be empty: then only the record changes) and the
     * removal of message {@code seq} from the prepared record of branch {@code xid} ({@link TransactionStore}), so
     * that a commit replayed after a crash routes only the messages not routed yet.
     */
    CompletableFuture<Void> enqueuePrepared(
            long messageId,
            ApplicationMessage message,
            List<MessageStore.Reference> references,
            TransactionId xid,
            int seq);
}
