package io.mqttra.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;

/** A subscription of a persistent session, with its MQTT 5 options and identifier. */
@Entity
@IdClass(SubscriptionEntity.Key.class)
@Table(name = "MQTT_SUBSCRIPTION")
public class SubscriptionEntity {

    @Id
    @Column(name = "CLIENT_ID", length = MessageData.MAX_STRING)
    String clientId;

    /** As subscribed, with a {@code $share/group/} prefix if any. */
    @Id
    @Column(name = "FILTER", length = MessageData.MAX_STRING)
    String filter;

    @Column(name = "QOS", nullable = false)
    int qos;

    @Column(name = "NO_LOCAL", nullable = false)
    boolean noLocal;

    @Column(name = "RETAIN_AS_PUBLISHED", nullable = false)
    boolean retainAsPublished;

    @Column(name = "RETAIN_HANDLING", nullable = false)
    int retainHandling;

    @Column(name = "SUBSCRIPTION_ID", nullable = false)
    int subscriptionIdentifier;

    /** Composite primary key. */
    public static class Key implements Serializable {
        private static final long serialVersionUID = 1L;
        String clientId;
        String filter;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(k.clientId, clientId) && Objects.equals(k.filter, filter);
        }

        @Override
        public int hashCode() {
            return Objects.hash(clientId, filter);
        }
    }
}
