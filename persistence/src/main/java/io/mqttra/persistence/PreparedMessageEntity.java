package io.mqttra.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;

/**
 * One part of a prepared XA transaction branch: a message the broker promised to publish if the transaction manager
 * commits ({@code data} set), or a queued message of a local session it then acknowledges ({@code ackClientId}
 * set). A branch is its rows with the same {@code XID_KEY}; the Xid's parts are repeated on each row so that
 * recovery can hand the transaction manager back its exact bytes.
 */
@Entity
@IdClass(PreparedMessageEntity.Key.class)
@Table(name = Sql.PREPARED_MESSAGE)
public class PreparedMessageEntity {

    /** {@code TransactionId.key()}: format id and hex of both Xid parts (at most 64 bytes each). */
    @Id
    @Column(name = "XID_KEY", length = 300)
    String xidKey;

    /** Publish order within the branch. */
    @Id
    @Column(name = "SEQ")
    int seq;

    @Column(name = "FORMAT_ID", nullable = false)
    int formatId;

    @Column(name = "GTRID", length = 64, nullable = false)
    byte[] globalTransactionId;

    @Column(name = "BQUAL", length = 64, nullable = false)
    byte[] branchQualifier;

    /** Epoch ms of the prepare; message expiry counts from here after a restart. */
    @Column(name = "PREPARED_AT", nullable = false)
    long preparedAt;

    @Embedded
    MessageData data;

    /** For an acknowledgement: the local session (a message-driven bean's client id); null for a message. */
    @Column(name = "ACK_CLIENT_ID", length = MessageData.MAX_STRING)
    String ackClientId;

    /** For an acknowledgement: the broker-wide id of the queued message. */
    @Column(name = "ACK_MESSAGE_ID")
    Long ackMessageId;

    /**
     * Null while prepared; once the branch committed, when (epoch ms): on its acknowledgements, and on the messages
     * of a branch committed in one phase until each is routed.
     */
    @Column(name = "COMMITTED_AT")
    Long committedAt;

    /** Composite primary key. */
    public static class Key implements Serializable {
        private static final long serialVersionUID = 1L;
        String xidKey;
        int seq;

        public Key() {}

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && seq == k.seq && Objects.equals(xidKey, k.xidKey);
        }

        @Override
        public int hashCode() {
            return Objects.hash(xidKey, seq);
        }
    }
}
