package io.mqttra.broker;

/**
 * Settings of one broker instance. Immutable; build with {@link #builder()}.
 *
 * <p>Defaults are safe: loopback only, standard port.
 */
public final class BrokerConfig {

    private final String bindAddress;
    private final int port;
    private final int maxPacketSize;
    private final int ioThreads;

    private BrokerConfig(Builder b) {
        this.bindAddress = b.bindAddress;
        this.port = b.port;
        this.maxPacketSize = b.maxPacketSize;
        this.ioThreads = b.ioThreads;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Address of the TCP listener; loopback by default. */
    public String bindAddress() {
        return bindAddress;
    }

    /** Port of the TCP listener; 0 picks a free ephemeral port (see {@link MqttBroker#port()}). */
    public int port() {
        return port;
    }

    /** Largest packet, in bytes, that the broker accepts or sends. */
    public int maxPacketSize() {
        return maxPacketSize;
    }

    /** Number of I/O event-loop threads; 0 means one per available processor. */
    public int ioThreads() {
        return ioThreads;
    }

    public static final class Builder {
        private String bindAddress = "127.0.0.1";
        private int port = 1883;
        private int maxPacketSize = 1024 * 1024;
        private int ioThreads = 0;

        private Builder() {
        }

        public Builder bindAddress(String bindAddress) {
            this.bindAddress = bindAddress;
            return this;
        }

        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.port = port;
            return this;
        }

        public Builder maxPacketSize(int maxPacketSize) {
            if (maxPacketSize < 64 || maxPacketSize > 268_435_455) {
                throw new IllegalArgumentException("max packet size must be between 64 and 268435455: " + maxPacketSize);
            }
            this.maxPacketSize = maxPacketSize;
            return this;
        }

        public Builder ioThreads(int ioThreads) {
            this.ioThreads = Math.max(0, ioThreads);
            return this;
        }

        public BrokerConfig build() {
            return new BrokerConfig(this);
        }
    }
}
