package io.mqttra.api;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The MQTT 5 properties of a PUBLISH packet (section 3.3.2.3 of the MQTT 5.0 standard).
 * Immutable; build one with {@link #builder()}.
 */
public final class PublishProperties implements Serializable {

    private static final long serialVersionUID = 1L;

    /** No properties at all. */
    public static final PublishProperties NONE = new Builder().build();

    /** A user property: a name and value pair; names may repeat. */
    public record UserProperty(String name, String value) implements Serializable {
        public UserProperty {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    private final Boolean payloadUtf8;
    private final Long messageExpiryInterval;
    private final String contentType;
    private final String responseTopic;
    private final byte[] correlationData;
    private final List<UserProperty> userProperties;

    private PublishProperties(Builder b) {
        this.payloadUtf8 = b.payloadUtf8;
        this.messageExpiryInterval = b.messageExpiryInterval;
        this.contentType = b.contentType;
        this.responseTopic = b.responseTopic;
        this.correlationData = b.correlationData == null ? null : b.correlationData.clone();
        this.userProperties = List.copyOf(b.userProperties);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Payload format indicator: true for UTF-8 text, false for unspecified bytes, null when absent. */
    public Boolean payloadUtf8() {
        return payloadUtf8;
    }

    /** Message expiry interval in seconds, or null when the message does not expire. */
    public Long messageExpiryInterval() {
        return messageExpiryInterval;
    }

    public String contentType() {
        return contentType;
    }

    public String responseTopic() {
        return responseTopic;
    }

    public byte[] correlationData() {
        return correlationData == null ? null : correlationData.clone();
    }

    public List<UserProperty> userProperties() {
        return userProperties;
    }

    public boolean isEmpty() {
        return payloadUtf8 == null
                && messageExpiryInterval == null
                && contentType == null
                && responseTopic == null
                && correlationData == null
                && userProperties.isEmpty();
    }

    /** Builds {@link PublishProperties}. */
    public static final class Builder {
        private Boolean payloadUtf8;
        private Long messageExpiryInterval;
        private String contentType;
        private String responseTopic;
        private byte[] correlationData;
        private final List<UserProperty> userProperties = new ArrayList<>();

        private Builder() {}

        public Builder payloadUtf8(boolean utf8) {
            this.payloadUtf8 = utf8;
            return this;
        }

        /** Seconds after which the broker discards the message if it has not been delivered. */
        public Builder messageExpiryInterval(long seconds) {
            if (seconds < 0 || seconds > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("message expiry interval out of range: " + seconds);
            }
            this.messageExpiryInterval = seconds;
            return this;
        }

        public Builder contentType(String contentType) {
            this.contentType = contentType;
            return this;
        }

        public Builder responseTopic(String responseTopic) {
            this.responseTopic = responseTopic;
            return this;
        }

        public Builder correlationData(byte[] correlationData) {
            this.correlationData = correlationData == null ? null : correlationData.clone();
            return this;
        }

        public Builder userProperty(String name, String value) {
            this.userProperties.add(new UserProperty(name, value));
            return this;
        }

        public PublishProperties build() {
            return new PublishProperties(this);
        }
    }
}
