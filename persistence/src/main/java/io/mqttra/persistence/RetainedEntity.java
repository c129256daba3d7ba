package io.mqttra.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The retained message of one topic. */
@Entity
@Table(name = "MQTT_RETAINED")
public class RetainedEntity {

    /** The topic name; the embedded message repeats it, the key makes "one per topic" a database rule. */
    @Id
    @Column(name = "TOPIC_KEY", length = MessageData.MAX_STRING)
    String topicKey;

    @Embedded
    MessageData data;

    @Column(name = "RECEIVED_AT", nullable = false)
    long receivedAt;

    @Column(name = "EXPIRES_AT")
    Long expiresAt;
}
