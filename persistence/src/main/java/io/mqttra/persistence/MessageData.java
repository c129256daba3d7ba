package io.mqttra.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

/**
 * An application message as columns: what a PUBLISH carries. Embedded in stored messages, retained messages and
 * a session's will, so the three are written and read by the same code ({@code MessageCodec}).
 */
@Embeddable
public class MessageData {

    /** MQTT strings and payloads are bounded by the packet size; these lengths only size the columns. */
    static final int MAX_STRING = 65535;

    static final int MAX_BYTES = 268_435_455;

    @Column(name = "TOPIC", length = MAX_STRING)
    String topic;

    @Column(name = "PAYLOAD", length = MAX_BYTES)
    byte[] payload;

    @Column(name = "QOS")
    Integer qos;

    @Column(name = "RETAIN_FLAG")
    Boolean retain;

    @Column(name = "PAYLOAD_UTF8")
    Boolean payloadUtf8;

    /** Message expiry interval as published, in seconds; null when the message does not expire. */
    @Column(name = "EXPIRY_INTERVAL")
    Long expiryInterval;

    @Column(name = "CONTENT_TYPE", length = MAX_STRING)
    String contentType;

    @Column(name = "RESPONSE_TOPIC", length = MAX_STRING)
    String responseTopic;

    @Column(name = "CORRELATION_DATA", length = MAX_STRING)
    byte[] correlationData;

    /** User properties, length-prefixed UTF-8 pairs; null when there are none. */
    @Column(name = "USER_PROPERTIES", length = MAX_BYTES)
    byte[] userProperties;
}
