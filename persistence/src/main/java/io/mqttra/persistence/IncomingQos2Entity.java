package io.mqttra.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;

/**
 * A QoS 2 PUBLISH received from a session's client and routed, whose PUBREL has not arrived yet: a resend with
 * this packet id must not be routed again [MQTT-4.3.3-9].
 */
@Entity
@IdClass(IncomingQos2Entity.Key.class)
@Table(name = "MQTT_INCOMING_QOS2")
public class IncomingQos2Entity {

    @Id
    @Column(name = "CLIENT_ID", length = MessageData.MAX_STRING)
    String clientId;

    @Id
    @Column(name = "PACKET_ID")
    int packetId;

    /** Composite primary key. */
    public static class Key implements Serializable {
        private static final long serialVersionUID = 1L;
        String clientId;
        int packetId;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.packetId == packetId && Objects.equals(k.clientId, clientId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(clientId, packetId);
        }
    }
}
