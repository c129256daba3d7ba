package io.mqttra.persistence;

import jakarta.persistence.AttributeOverride;
import jakarta.persistence.Column;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A persistent session: outlives its connection until its expiry interval has elapsed after the disconnect. */
@Entity
@Table(name = "MQTT_SESSION")
public class SessionEntity {

    @Id
    @Column(name = "CLIENT_ID", length = MessageData.MAX_STRING)
    String clientId;

    @Column(name = "PROTOCOL_LEVEL", nullable = false)
    int protocolLevel;

    /** Seconds; 0xFFFFFFFF never expires. */
    @Column(name = "EXPIRY_INTERVAL", nullable = false)
    long expiryInterval;

    /**
     * Epoch ms since which the session has had no connection, or null while it may be connected. The background
     * cleanup deletes the session once its expiry interval has elapsed after this instant.
     */
    @Column(name = "DISCONNECTED_AT")
    Long disconnectedAt;

    @Column(name = "WILL_DELAY", nullable = false)
    long willDelay;

    @Embedded
    @AttributeOverride(name = "topic", column = @Column(name = "WILL_TOPIC", length = MessageData.MAX_STRING))
    @AttributeOverride(name = "payload", column = @Column(name = "WILL_PAYLOAD", length = MessageData.MAX_BYTES))
    @AttributeOverride(name = "qos", column = @Column(name = "WILL_QOS"))
    @AttributeOverride(name = "retain", column = @Column(name = "WILL_RETAIN"))
    @AttributeOverride(name = "payloadUtf8", column = @Column(name = "WILL_PAYLOAD_UTF8"))
    @AttributeOverride(name = "expiryInterval", column = @Column(name = "WILL_EXPIRY_INTERVAL"))
    @AttributeOverride(
            name = "contentType",
            column = @Column(name = "WILL_CONTENT_TYPE", length = MessageData.MAX_STRING))
    @AttributeOverride(
            name = "responseTopic",
            column = @Column(name = "WILL_RESPONSE_TOPIC", length = MessageData.MAX_STRING))
    @AttributeOverride(
            name = "correlationData",
            column = @Column(name = "WILL_CORRELATION_DATA", length = MessageData.MAX_STRING))
    @AttributeOverride(
            name = "userProperties",
            column = @Column(name = "WILL_USER_PROPERTIES", length = MessageData.MAX_BYTES))
    MessageData will;
}
