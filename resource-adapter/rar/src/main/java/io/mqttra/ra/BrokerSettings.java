package io.mqttra.ra;

import io.mqttra.broker.config.BrokerConfig;
import io.mqttra.ra.security.AuthMode;
import io.mqttra.ra.security.SecuritySettings;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * Turns the adapter's config properties, overridden by MicroProfile Config, into a {@link BrokerConfig}.
 *
 * <p>Order of precedence: MicroProfile Config ({@code mqtt.port}, env {@code MQTT_PORT}, ...), then the
 * resource adapter's config property (annotation default, or {@code create-resource-adapter-config --property}).
 */
final class BrokerSettings {

    static final String PORT = "mqtt.port";
    static final String BIND_ADDRESS = "mqtt.bind.address";
    static final String MAX_PACKET_SIZE = "mqtt.max.packet.size";
    static final String IO_THREADS = "mqtt.io.threads";
    static final String MAX_CONNECTIONS = "mqtt.max.connections";
    static final String MAX_INFLIGHT = "mqtt.max.inflight";
    static final String RECEIVE_MAXIMUM = "mqtt.receive.maximum";
    static final String MAX_QUEUED_MESSAGES = "mqtt.max.queued.messages";
    static final String OUTBOUND_BUFFER_BYTES = "mqtt.outbound.buffer.bytes";
    static final String OUTGOING_TOPIC_ALIAS_MAXIMUM = "mqtt.outgoing.topic.alias.maximum";
    static final String CONNECT_TIMEOUT_SECONDS = "mqtt.connect.timeout.seconds";
    static final String SYS_INTERVAL_SECONDS = "mqtt.sys.interval.seconds";
    static final String AUTH_MODE = "mqtt.auth.mode";
    static final String REALM_NAME = "mqtt.auth.realm";
    static final String REQUIRED_GROUP = "mqtt.auth.required.group";
    static final String PASSWORD_FILE = "mqtt.auth.password.file";
    static final String ACL_FILE = "mqtt.acl.file";
    static final String SYS_ADMIN_ONLY = "mqtt.sys.admin.only";
    static final String ADMIN_ROLE = "mqtt.admin.role";
    static final String ALLOW_UNAUTHENTICATED_NETWORK = "mqtt.allow.unauthenticated.network";
    static final String ALLOW_ANONYMOUS = "mqtt.allow.anonymous";
    static final String DATA_DIR = "mqtt.data.dir";
    static final String STORE_DATA_SOURCE = "mqtt.store.data.source";
    static final String TLS_PORT = "mqtt.tls.port";
    static final String WS_PORT = "mqtt.ws.port";
    static final String WSS_PORT = "mqtt.wss.port";
    static final String WS_PATH = "mqtt.ws.path";
    static final String KEY_STORE_PATH = "mqtt.tls.key.store.path";
    static final String KEY_STORE_PASSWORD = "mqtt.tls.key.store.password";
    static final String KEY_STORE_TYPE = "mqtt.tls.key.store.type";
    static final String KEY_ALIAS = "mqtt.tls.key.alias";
    static final String TLS_CLIENT_AUTH = "mqtt.tls.client.auth";
    static final String TRUST_STORE_PATH = "mqtt.tls.trust.store.path";
    static final String TRUST_STORE_PASSWORD = "mqtt.tls.trust.store.password";
    static final String TRUST_STORE_TYPE = "mqtt.tls.trust.store.type";

    private static final Logger LOG = Logger.getLogger(BrokerSettings.class.getName());

    private final ConfigOverrides overrides;

    BrokerSettings(ConfigOverrides overrides) {
        this.overrides = overrides;
    }

    /**
     * @throws IllegalArgumentException naming the offending setting when a value is malformed or out of range
     */
    BrokerConfig resolve(MqttResourceAdapter adapter, Executor authThreads) {
        BrokerConfig.Builder builder = BrokerConfig.builder()
                .port(number(PORT, adapter.getPort()))
                .maxPacketSize(number(MAX_PACKET_SIZE, adapter.getMaxPacketSize()))
                .ioThreads(number(IO_THREADS, adapter.getIoThreads()))
                .maxConnections(number(MAX_CONNECTIONS, adapter.getMaxConnections()))
                .maxInflight(number(MAX_INFLIGHT, adapter.getMaxInflight()))
                .receiveMaximum(number(RECEIVE_MAXIMUM, adapter.getReceiveMaximum()))
                .maxQueuedMessages(number(MAX_QUEUED_MESSAGES, adapter.getMaxQueuedMessages()))
                .outboundBufferBytes(number(OUTBOUND_BUFFER_BYTES, adapter.getOutboundBufferBytes()))
                .outgoingTopicAliasMaximum(number(OUTGOING_TOPIC_ALIAS_MAXIMUM, adapter.getOutgoingTopicAliasMaximum()))
                .connectTimeoutSeconds(number(CONNECT_TIMEOUT_SECONDS, adapter.getConnectTimeoutSeconds()))
                .sysIntervalSeconds(number(SYS_INTERVAL_SECONDS, adapter.getSysIntervalSeconds()))
                .wsPort(number(WS_PORT, adapter.getWsPort()))
                .wsPath(text(WS_PATH, adapter.getWsPath()))
                .trustStore(
                        blankToNull(text(TRUST_STORE_PATH, adapter.getTrustStorePath())),
                        secret(TRUST_STORE_PASSWORD, adapter.getTrustStorePassword()),
                        text(TRUST_STORE_TYPE, adapter.getTrustStoreType()))
                .clientAuth(clientAuth(text(TLS_CLIENT_AUTH, adapter.getTlsClientAuth())));
        tls(builder, adapter, System::getProperty);
        // Security decides the effective bind address: without authentication it stays on loopback.
        return security(adapter)
                .applyTo(builder, text(BIND_ADDRESS, adapter.getBindAddress()), authThreads)
                .build();
    }

    /**
     * TLS and WSS listeners and their key store: the configured one, or else the server's own (see
     * {@link ServerKeyStore}), so that turning TLS on needs nothing but a port.
     */
    void tls(BrokerConfig.Builder builder, MqttResourceAdapter adapter, UnaryOperator<String> systemProperties) {
        int tlsPort = number(TLS_PORT, adapter.getTlsPort());
        int wssPort = number(WSS_PORT, adapter.getWssPort());
        builder.tlsPort(tlsPort).wssPort(wssPort);
        String path = blankToNull(text(KEY_STORE_PATH, adapter.getKeyStorePath()));
        String alias = text(KEY_ALIAS, adapter.getKeyAlias());
        if (path != null || (tlsPort < 0 && wssPort < 0)) {
            builder.keyStore(
                            path,
                            secret(KEY_STORE_PASSWORD, adapter.getKeyStorePassword()),
                            text(KEY_STORE_TYPE, adapter.getKeyStoreType()))
                    .keyAlias(alias);
            return;
        }
        Optional<ServerKeyStore> server = ServerKeyStore.find(systemProperties, alias);
        if (server.isEmpty()) {
            LOG.warning(() -> "MQTT TLS is on but no key store is configured (keyStorePath) and the server names none"
                    + " in " + ServerKeyStore.KEY_STORE);
            return; // the broker then refuses to start, naming keyStorePath
        }
        ServerKeyStore store = server.get();
        LOG.info(() -> "MQTT TLS listeners use the " + store + ": no keyStorePath is configured");
        // A configured password still counts: it is how an operator who changed the master password gives it.
        String password = secret(KEY_STORE_PASSWORD, adapter.getKeyStorePassword());
        builder.keyStore(store.path(), password != null ? password : store.password(), store.type())
                .keyAlias(store.alias());
    }

    SecuritySettings security(MqttResourceAdapter adapter) {
        SecuritySettings defaults = SecuritySettings.defaults();
        return new SecuritySettings(
                AuthMode.parse(text(AUTH_MODE, adapter.getAuthMode())),
                text(REALM_NAME, adapter.getRealmName()),
                text(REQUIRED_GROUP, adapter.getRequiredGroup()),
                text(PASSWORD_FILE, adapter.getPasswordFile()),
                text(ACL_FILE, adapter.getAclFile()),
                flag(SYS_ADMIN_ONLY, adapter.getSysAdminOnly()),
                text(ADMIN_ROLE, adapter.getAdminRole()),
                flag(ALLOW_UNAUTHENTICATED_NETWORK, adapter.getAllowUnauthenticatedNetwork()),
                flag(ALLOW_ANONYMOUS, adapter.getAllowAnonymous()),
                defaults.loginFailureDelayMillis(),
                defaults.maxLoginFailureDelayMillis());
    }

    private boolean flag(String name, Boolean property) {
        String value =
                text(name, property == null ? "false" : property.toString()).trim();
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(name + " (env " + ConfigOverrides.environmentName(name)
                    + ") must be true or false, not '" + value + "'");
        }
        return Boolean.parseBoolean(value);
    }

    private static BrokerConfig.ClientAuth clientAuth(String value) {
        try {
            return BrokerConfig.ClientAuth.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(TLS_CLIENT_AUTH + " must be NONE, WANT or NEED, not '" + value + "'", e);
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** Like {@link #text} but never logs the value. */
    private String secret(String name, String property) {
        Optional<String> override = overrides.value(name);
        override.ifPresent(v -> LOG.info(() -> "MQTT setting " + name + " (secret) from " + overrides.sourceName()));
        return blankToNull(override.orElse(property));
    }

    /** Logs the value it takes from an override: never read a secret (password) through here. */
    String text(String name, String property) {
        Optional<String> override = overrides.value(name);
        override.ifPresent(v -> LOG.info(() -> "MQTT setting " + name + "=" + v + " from " + overrides.sourceName()));
        return override.orElse(property);
    }

    private int number(String name, Integer property) {
        Optional<String> override = overrides.value(name);
        if (override.isEmpty()) {
            if (property == null) {
                throw new IllegalArgumentException("resource adapter property for " + name + " is not set");
            }
            return property;
        }
        try {
            int value = Integer.parseInt(override.get());
            LOG.info(() -> "MQTT setting " + name + "=" + value + " from " + overrides.sourceName());
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    name + " (env " + ConfigOverrides.environmentName(name) + ") must be a whole number, not '"
                            + override.get() + "'",
                    e);
        }
    }
}
