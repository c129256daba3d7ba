package io.mqttra.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;

/** A message queued for one or more persistent sessions; stored once however many sessions reference it. */
@Entity
@Table(name = "MQTT_MESSAGE", indexes = @Index(name = "MQTT_MESSAGE_EXPIRES", columnList = "EXPIRES_AT"))
public class MessageEntity {

    @Id
    @Column(name = "ID")
    long id;

    @Embedded
    MessageData data;

    /** When the broker received it (epoch ms): the base of the remaining message expiry [MQTT-3.3.2-6]. */
    @Column(name = "RECEIVED_AT", nullable = false)
    long receivedAt;

    /** Epoch ms after which it must not be delivered any more [MQTT-3.3.2-5]; null when it never expires. */
    @Column(name = "EXPIRES_AT")
    Long expiresAt;
}
