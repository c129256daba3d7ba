package io.mqttra.api.admin;

/**
 * A retained message, as an operator browses it. The payload is shown, not transferred: at most
 * {@link #PREVIEW_BYTES} bytes of it, as text when it is UTF-8 text, otherwise as hexadecimal.
 *
 * @param topic          topic name
 * @param qos            QoS it was published with
 * @param payloadBytes   full payload size in bytes
 * @param payloadPreview start of the payload (text, or hexadecimal digits when {@code payloadIsText} is false)
 * @param payloadIsText  true when the preview is the payload decoded as UTF-8
 * @param contentType    MQTT 5 content type, or null
 * @param messageExpiryInterval MQTT 5 message expiry interval in seconds as published, or null when it never expires
 */
public record RetainedMessageInfo(
        String topic,
        int qos,
        int payloadBytes,
        String payloadPreview,
        boolean payloadIsText,
        String contentType,
        Long messageExpiryInterval) {

    /** Longest payload preview, in payload bytes. */
    public static final int PREVIEW_BYTES = 256;
}
