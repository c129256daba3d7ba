package io.mqttra.broker.config;

import io.mqttra.broker.EnhancedAuthenticator;

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
    private final int connectTimeoutSeconds;
    private final int maxInflight;
    private final int receiveMaximum;
    private final int maxQueuedMessages;
    private final int outboundBufferBytes;
    private final int maxConnections;
    private final int maxQos;
    private final int topicAliasMaximum;
    private final int outgoingTopicAliasMaximum;
    private final int serverKeepAliveSeconds;
    private final long maxSessionExpirySeconds;
    private final boolean retainAvailable;
    private final io.mqttra.broker.auth.Authenticator authenticator;
    private final io.mqttra.broker.auth.Authorizer authorizer;
    private final boolean sysAdminOnly;
    private final String adminRole;
    private final long loginFailureDelayMillis;
    private final long maxLoginFailureDelayMillis;
    private final java.util.Map<String, EnhancedAuthenticator> enhancedAuthenticators;
    // Extra listeners (io.mqttra.broker.transport) and $SYS (io.mqttra.broker.sys); -1 switches a listener off.
    private final int tlsPort;
    private final int wsPort;
    private final int wssPort;
    private final String wsPath;
    private final String keyStorePath;
    private final String keyStorePassword;
    private final String keyStoreType;
    private final String keyAlias;
    private final ClientAuth clientAuth;
    private final String trustStorePath;
    private final String trustStorePassword;
    private final String trustStoreType;
    private final int sysIntervalSeconds;

    private BrokerConfig(Builder b) {
        this.bindAddress = b.bindAddress;
        this.port = b.port;
        this.maxPacketSize = b.maxPacketSize;
        this.ioThreads = b.ioThreads;
        this.connectTimeoutSeconds = b.connectTimeoutSeconds;
        this.maxInflight = b.maxInflight;
        this.receiveMaximum = b.receiveMaximum;
        this.maxQueuedMessages = b.maxQueuedMessages;
        this.outboundBufferBytes = b.outboundBufferBytes;
        this.maxConnections = b.maxConnections;
        this.maxQos = b.maxQos;
        this.topicAliasMaximum = b.topicAliasMaximum;
        this.outgoingTopicAliasMaximum = b.outgoingTopicAliasMaximum;
        this.serverKeepAliveSeconds = b.serverKeepAliveSeconds;
        this.maxSessionExpirySeconds = b.maxSessionExpirySeconds;
        this.retainAvailable = b.retainAvailable;
        this.authenticator = b.authenticator;
        this.authorizer = b.authorizer;
        this.sysAdminOnly = b.sysAdminOnly;
        this.adminRole = b.adminRole;
        this.loginFailureDelayMillis = b.loginFailureDelayMillis;
        this.maxLoginFailureDelayMillis = b.maxLoginFailureDelayMillis;
        this.enhancedAuthenticators = java.util.Map.copyOf(b.enhancedAuthenticators);
        this.tlsPort = b.tlsPort;
        this.wsPort = b.wsPort;
        this.wssPort = b.wssPort;
        this.wsPath = b.wsPath;
        this.keyStorePath = b.keyStorePath;
        this.keyStorePassword = b.keyStorePassword;
        this.keyStoreType = b.keyStoreType;
        this.keyAlias = b.keyAlias;
        this.clientAuth = b.clientAuth;
        this.trustStorePath = b.trustStorePath;
        this.trustStorePassword = b.trustStorePassword;
        this.trustStoreType = b.trustStoreType;
        this.sysIntervalSeconds = b.sysIntervalSeconds;
    }

    /** Whether the TLS listeners ask for client certificates (checked against the trust store). */
    public enum ClientAuth {
        /** No client certificate is requested. */
        NONE,
        /** A client certificate is requested; a client without one is still accepted. */
        WANT,
        /** A client without a certificate the trust store accepts fails the TLS handshake. */
        NEED
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

    /** Seconds a new socket may take to send CONNECT before it is closed. */
    public int connectTimeoutSeconds() {
        return connectTimeoutSeconds;
    }

    /** Most QoS 1/2 messages in flight to one session at once (further ones wait in its queue); the client's Receive Maximum lowers it. */
    public int maxInflight() {
        return maxInflight;
    }

    /** Receive Maximum the broker announces to MQTT 5 clients: unacknowledged QoS 1/2 PUBLISHes a client may send at once. */
    public int receiveMaximum() {
        return receiveMaximum;
    }

    /**
     * Most messages queued for one session beyond those in flight. Back-pressure first: while a connected
     * session's queue is above half of this, the broker holds back the PUBACK/PUBREC of the network publishers
     * feeding it (and internal publishes wait) until it drains to a quarter, so they slow to the consumer's pace
     * (each can have at most {@link #receiveMaximum()} unacknowledged); a session that does not drain within
     * {@link io.mqttra.broker.session.Session#MAX_HOLD_MILLIS} counts as stuck and holds nobody back any more.
     * Drop policy last: when the queue is full (offline or stuck session, many publishers), newly arriving
     * messages for it are dropped and counted in
     * {@link BrokerMetrics#messagesDropped()}.
     */
    public int maxQueuedMessages() {
        return maxQueuedMessages;
    }

    /**
     * Bytes that may wait to be written to one connection before it counts as congested: QoS 0 messages for it are
     * then dropped (counted in {@link BrokerMetrics#messagesDropped()}) rather than buffered without bound. Like
     * Mosquitto's limit of queued packets, it absorbs the bursts of a consumer that keeps up on average; QoS 1/2
     * never depend on it (their window and queue apply).
     */
    public int outboundBufferBytes() {
        return outboundBufferBytes;
    }

    /** Most simultaneous network connections; 0 means unlimited. */
    public int maxConnections() {
        return maxConnections;
    }

    /** Highest QoS the broker supports (announced to MQTT 5 clients as Maximum QoS). */
    public int maxQos() {
        return maxQos;
    }

    /** Topic aliases a client may define towards the broker (MQTT 5); 0 disables them. */
    public int topicAliasMaximum() {
        return topicAliasMaximum;
    }

    /**
     * Most topic aliases the broker assigns on the PUBLISHes it sends to one MQTT 5 connection (fewer if the
     * client's Topic Alias Maximum is lower; none if the client announces none); 0 disables them.
     */
    public int outgoingTopicAliasMaximum() {
        return outgoingTopicAliasMaximum;
    }

    /** When above 0, overrides the clients' keep alive (MQTT 5 Server Keep Alive). */
    public int serverKeepAliveSeconds() {
        return serverKeepAliveSeconds;
    }

    /** Upper bound on the session expiry interval clients may ask for (MQTT 5); 0xFFFFFFFF: no bound. */
    public long maxSessionExpirySeconds() {
        return maxSessionExpirySeconds;
    }

    /** Whether retained messages are supported (announced to MQTT 5 clients as Retain Available). */
    public boolean retainAvailable() {
        return retainAvailable;
    }

    /** The MQTT 5 enhanced authentication method of that name, or null when none is registered. */
    public EnhancedAuthenticator enhancedAuthenticator(String method) {
        return method == null ? null : enhancedAuthenticators.get(method);
    }

    /** Port of the MQTT-over-TLS listener (8883 by convention); -1: off, 0: ephemeral. Needs a key store. */
    public int tlsPort() {
        return tlsPort;
    }

    /** Port of the MQTT-over-WebSocket listener; -1: off, 0: ephemeral. */
    public int wsPort() {
        return wsPort;
    }

    /** Port of the MQTT-over-secure-WebSocket listener; -1: off, 0: ephemeral. Needs a key store. */
    public int wssPort() {
        return wssPort;
    }

    /** HTTP path of the WebSocket endpoint, {@code /mqtt} by default. */
    public String wsPath() {
        return wsPath;
    }

    /** File of the server's key store (key and certificate chain) for TLS and WSS; null when not set. */
    public String keyStorePath() {
        return keyStorePath;
    }

    public String keyStorePassword() {
        return keyStorePassword;
    }

    /** {@code PKCS12} (default) or {@code JKS}. */
    public String keyStoreType() {
        return keyStoreType;
    }

    /** The key store entry the listeners present; null: whichever key the JDK picks (fine for a one-key store). */
    public String keyAlias() {
        return keyAlias;
    }

    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /** File of the trust store that client certificates are checked against; null: the JDK's default trust. */
    public String trustStorePath() {
        return trustStorePath;
    }

    public String trustStorePassword() {
        return trustStorePassword;
    }

    /** {@code PKCS12} (default) or {@code JKS}. */
    public String trustStoreType() {
        return trustStoreType;
    }

    /** Seconds between updates of the {@code $SYS/broker/...} topics; 0 switches them off. */
    public int sysIntervalSeconds() {
        return sysIntervalSeconds;
    }

    /** Checks CONNECT user names and passwords; null: every client is let in anonymously (listen on loopback then). */
    public io.mqttra.broker.auth.Authenticator authenticator() {
        return authenticator;
    }

    /** Decides which topics a principal may publish, subscribe to and receive; null: everything is permitted. */
    public io.mqttra.broker.auth.Authorizer authorizer() {
        return authorizer;
    }

    /** Whether only principals with {@link #adminRole()} may read {@code $SYS} topics. */
    public boolean sysAdminOnly() {
        return sysAdminOnly;
    }

    /** The role (identity-store group) of the broker's administrators. */
    public String adminRole() {
        return adminRole;
    }

    /** Delay of the first refused login from an address; doubles with each further failure. 0: no delay. */
    public long loginFailureDelayMillis() {
        return loginFailureDelayMillis;
    }

    /** Cap on the delay of refused logins. */
    public long maxLoginFailureDelayMillis() {
        return maxLoginFailureDelayMillis;
    }

    public static final class Builder {
        private String bindAddress = "127.0.0.1";
        private int port = 1883;
        private int maxPacketSize = 1024 * 1024;
        private int ioThreads = 0;
        private int connectTimeoutSeconds = 10;
        private int maxInflight = 32;
        private int receiveMaximum = 256;
        private int maxQueuedMessages = 1000;
        private int outboundBufferBytes = 1024 * 1024;
        private int maxConnections = 0;
        private int maxQos = 2;
        private int topicAliasMaximum = 16;
        private int outgoingTopicAliasMaximum = 16;
        private int serverKeepAliveSeconds = 0;
        private long maxSessionExpirySeconds = 0xFFFF_FFFFL;
        private boolean retainAvailable = true;
        private io.mqttra.broker.auth.Authenticator authenticator;
        private io.mqttra.broker.auth.Authorizer authorizer;
        private boolean sysAdminOnly;
        private String adminRole = "mqtt-admins";
        private long loginFailureDelayMillis = 500;
        private long maxLoginFailureDelayMillis = 10_000;
        private final java.util.Map<String, EnhancedAuthenticator> enhancedAuthenticators = new java.util.HashMap<>();
        private int tlsPort = -1;
        private int wsPort = -1;
        private int wssPort = -1;
        private String wsPath = "/mqtt";
        private String keyStorePath;
        private String keyStorePassword;
        private String keyStoreType = "PKCS12";
        private String keyAlias;
        private ClientAuth clientAuth = ClientAuth.NONE;
        private String trustStorePath;
        private String trustStorePassword;
        private String trustStoreType = "PKCS12";
        private int sysIntervalSeconds = 10;

        private Builder() {}

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
                throw new IllegalArgumentException(
                        "max packet size must be between 64 and 268435455: " + maxPacketSize);
            }
            this.maxPacketSize = maxPacketSize;
            return this;
        }

        public Builder ioThreads(int ioThreads) {
            this.ioThreads = Math.max(0, ioThreads);
            return this;
        }

        public Builder connectTimeoutSeconds(int v) {
            String problem = v < 1 ? "connect timeout must be at least 1 s" : null;
            if (problem != null) {
                throw new IllegalArgumentException(problem + ": " + v);
            }
            this.connectTimeoutSeconds = v;
            return this;
        }

        public Builder maxInflight(int v) {
            String problem = v < 1 || v > 65535 ? "max inflight must be 1..65535" : null;
            if (problem != null) {
                throw new IllegalArgumentException(problem + ": " + v);
            }
            this.maxInflight = v;
            return this;
        }

        public Builder receiveMaximum(int v) {
            String problem = v < 1 || v > 65535 ? "receive maximum must be 1..65535" : null;
            if (problem != null) {
                throw new IllegalArgumentException(problem + ": " + v);
            }
            this.receiveMaximum = v;
            return this;
        }

        public Builder maxQueuedMessages(int v) {
            String problem = v < 0 ? "max queued messages must be >= 0" : null;
            if (problem != null) {
                throw new IllegalArgumentException(problem + ": " + v);
            }
            this.maxQueuedMessages = v;
            return this;
        }

        public Builder outboundBufferBytes(int v) {
            if (v < 64 * 1024) {
                throw new IllegalArgumentException("outbound buffer bytes must be >= 65536: " + v);
            }
            this.outboundBufferBytes = v;
            return this;
        }

        public Builder maxConnections(int v) {
            String problem = v < 0 ? "max connections must be >= 0" : null;
            if (problem != null) {
                throw new IllegalArgumentException(problem + ": " + v);
            }
            this.maxConnections = v;
            return this;
        }

        public Builder maxQos(int v) {
            String problem = v < 0 || v > 2 ? "max QoS must be 0..2" : null;
            if (problem != null) {
                throw new IllegalArgumentException(problem + ": " + v);
            }
            this.maxQos = v;
            return this;
        }

        public Builder topicAliasMaximum(int v) {
            String problem = v < 0 || v > 65535 ? "topic alias maximum must be 0..65535" : null;
            if (problem != null) {
                throw new IllegalArgumentException(problem + ": " + v);
            }
            this.topicAliasMaximum = v;
            return this;
        }

        public Builder outgoingTopicAliasMaximum(int v) {
            String problem = v < 0 || v > 65535 ? "outgoing topic alias maximum must be 0..65535" : null;
            if (problem != null) {
                throw new IllegalArgumentException(problem + ": " + v);
            }
            this.outgoingTopicAliasMaximum = v;
            return this;
        }

        public Builder serverKeepAliveSeconds(int v) {
            String problem = v < 0 || v > 65535 ? "server keep alive must be 0..65535" : null;
            if (problem != null) {
                throw new IllegalArgumentException(problem + ": " + v);
            }
            this.serverKeepAliveSeconds = v;
            return this;
        }

        public Builder maxSessionExpirySeconds(long v) {
            if (v < 0 || v > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("max session expiry out of range: " + v);
            }
            this.maxSessionExpirySeconds = v;
            return this;
        }

        public Builder retainAvailable(boolean v) {
            this.retainAvailable = v;
            return this;
        }

        /** -1 switches the TLS listener off; 0 binds an ephemeral port. */
        public Builder tlsPort(int v) {
            this.tlsPort = optionalPort("TLS port", v);
            return this;
        }

        /** -1 switches the WebSocket listener off; 0 binds an ephemeral port. */
        public Builder wsPort(int v) {
            this.wsPort = optionalPort("WebSocket port", v);
            return this;
        }

        /** -1 switches the secure WebSocket listener off; 0 binds an ephemeral port. */
        public Builder wssPort(int v) {
            this.wssPort = optionalPort("secure WebSocket port", v);
            return this;
        }

        private static int optionalPort(String what, int v) {
            if (v < -1 || v > 65535) {
                throw new IllegalArgumentException(what + " out of range (-1 = off): " + v);
            }
            return v;
        }

        public Builder wsPath(String v) {
            if (v == null || !v.startsWith("/")) {
                throw new IllegalArgumentException("WebSocket path must start with '/': " + v);
            }
            this.wsPath = v;
            return this;
        }

        /** Key store for the TLS and WSS listeners; the password opens both the store and the key. */
        public Builder keyStore(String path, String password, String type) {
            this.keyStorePath = path;
            this.keyStorePassword = password;
            this.keyStoreType = storeType(type);
            return this;
        }

        /** Which entry of a key store that holds several keys (an application server's) the listeners present. */
        public Builder keyAlias(String alias) {
            this.keyAlias = alias == null || alias.isBlank() ? null : alias.strip();
            return this;
        }

        /** Trust store for client certificates (used with {@link ClientAuth#WANT} / {@link ClientAuth#NEED}). */
        public Builder trustStore(String path, String password, String type) {
            this.trustStorePath = path;
            this.trustStorePassword = password;
            this.trustStoreType = storeType(type);
            return this;
        }

        private static String storeType(String type) {
            return type == null || type.isBlank() ? "PKCS12" : type.trim().toUpperCase(java.util.Locale.ROOT);
        }

        public Builder clientAuth(ClientAuth v) {
            this.clientAuth = java.util.Objects.requireNonNull(v, "clientAuth");
            return this;
        }

        public Builder sysIntervalSeconds(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("$SYS interval must be >= 0 (0 = off): " + v);
            }
            this.sysIntervalSeconds = v;
            return this;
        }

        /** Registers an MQTT 5 enhanced authentication method (AUTH exchange, section 4.12). */
        public Builder enhancedAuthenticator(EnhancedAuthenticator authenticator) {
            this.enhancedAuthenticators.put(authenticator.method(), authenticator);
            return this;
        }

        public Builder authenticator(io.mqttra.broker.auth.Authenticator v) {
            this.authenticator = v;
            return this;
        }

        public Builder authorizer(io.mqttra.broker.auth.Authorizer v) {
            this.authorizer = v;
            return this;
        }

        public Builder sysAdminOnly(boolean v) {
            this.sysAdminOnly = v;
            return this;
        }

        public Builder adminRole(String v) {
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException("admin role must not be empty");
            }
            this.adminRole = v;
            return this;
        }

        /** Refused logins are answered after {@code base} ms, doubling per consecutive failure of an address, up to {@code max}. */
        public Builder loginFailureDelayMillis(long base, long max) {
            if (base < 0 || max < base) {
                throw new IllegalArgumentException("login failure delay needs 0 <= base <= max: " + base + ", " + max);
            }
            this.loginFailureDelayMillis = base;
            this.maxLoginFailureDelayMillis = max;
            return this;
        }

        public BrokerConfig build() {
            return new BrokerConfig(this);
        }
    }
}
