package io.mqttra.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;
import org.eclipse.persistence.annotations.PrimaryKey;

/**
 * One session's reference to a stored message: queued (packet id 0) or in flight.
 *
 * <p>The primary key leads with MESSAGE_ID (SchemaVersion 3) so that "is this message still referenced" is a probe
 * of the key's prefix and needs no index of its own; a session's rows are found through (CLIENT_ID, SEQ). JPA
 * leaves the column order of a composite key to the provider (EclipseLink sorts them by name), hence
 * {@link PrimaryKey}.
 */
@Entity
@IdClass(QueueEntryEntity.Key.class)
@PrimaryKey(columns = {@Column(name = "MESSAGE_ID"), @Column(name = "CLIENT_ID")})
@Table(
        name = "MQTT_QUEUE_ENTRY",
        indexes = {
            // A session's queue is read a page at a time in this order (SchemaVersion 2).
            @Index(name = "MQTT_QUEUE_ENTRY_ORDER", columnList = "CLIENT_ID, SEQ")
        })
public class QueueEntryEntity {

    @Id
    @Column(name = "MESSAGE_ID")
    long messageId;

    @Id
    @Column(name = "CLIENT_ID", length = MessageData.MAX_STRING)
    String clientId;

    /** Store-wide call order of the enqueue: the queue order of the session. */
    @Column(name = "SEQ", nullable = false)
    long seq;

    @Column(name = "QOS", nullable = false)
    int qos;

    @Column(name = "RETAIN_FLAG", nullable = false)
    boolean retain;

    /** Subscription identifiers to send, comma separated; null when none. */
    @Column(name = "SUBSCRIPTION_IDS", length = 4000)
    String subscriptionIds;

    @Column(name = "PACKET_ID", nullable = false)
    int packetId;

    @Column(name = "RELEASED", nullable = false)
    boolean released;

    /**
     * Delivery attempts to a local session begun so far. Nullable, null meaning 0: the column was added to
     * existing stores by schema extension, which cannot give old rows a value.
     */
    @Column(name = "DELIVERY_COUNT")
    Integer deliveryCount;

    /** Composite primary key. */
    public static class Key implements Serializable {
        private static final long serialVersionUID = 1L;
        String clientId;
        long messageId;

        public Key() {}

        Key(String clientId, long messageId) {
            this.clientId = clientId;
            this.messageId = messageId;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.messageId == messageId && Objects.equals(k.clientId, clientId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(clientId, messageId);
        }
    }
}
