package io.mqttra.ra;

import io.mqttra.broker.MqttBroker;
import io.mqttra.broker.config.BrokerConfig;
import io.mqttra.persistence.JpaStores;
import io.mqttra.ra.inflow.MqttActivation;
import io.mqttra.ra.inflow.MqttActivationSpec;
import io.mqttra.ra.tx.MessageSink;
import io.mqttra.ra.tx.MqttResourceManager;
import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.spi.ConfigProperty;
import jakarta.resource.spi.Connector;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterInternalException;
import jakarta.resource.spi.TransactionSupport;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import jakarta.resource.spi.work.WorkManager;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.transaction.xa.XAResource;

/**
 * The MQTT resource adapter: runs one broker per server on the server's WorkManager threads, binds message-driven
 * beans to it ({@link MqttActivation}) and backs the outbound connection factory.
 *
 * <p>Every config property can be overridden with MicroProfile Config (see {@link BrokerSettings}).
 */
@Connector(
        displayName = "MQTT broker",
        description =
                "An MQTT 3.1.1 / 5.0 broker inside the server, with message-driven beans and a connection factory",
        vendorName = "mqtt-ra",
        eisType = "MQTT",
        version = "0.1.0",
        transactionSupport = TransactionSupport.TransactionSupportLevel.XATransaction,
        reauthenticationSupport = false)
public class MqttResourceAdapter implements ResourceAdapter {

    private static final Logger LOG = Logger.getLogger(MqttResourceAdapter.class.getName());

    /** How long stop() waits for the broker's threads (Works) to end before it gives up and logs them. */
    private static final long STOP_TIMEOUT_SECONDS = 10;

    /** How long prepare and commit wait for the store and the router before they report a resource manager failure. */
    private static final long TRANSACTION_TIMEOUT_MILLIS = 30_000;

    @ConfigProperty(
            defaultValue = "1883",
            description =
                    "TCP port of the MQTT listener (MicroProfile Config mqtt.port, env MQTT_PORT); 0 picks a free port")
    private Integer port = 1883;

    @ConfigProperty(
            defaultValue = "127.0.0.1",
            description =
                    "Address of the MQTT listener (mqtt.bind.address, env MQTT_BIND_ADDRESS); loopback while no authentication is configured")
    private String bindAddress = "127.0.0.1";

    @ConfigProperty(
            defaultValue = "1048576",
            description =
                    "Largest MQTT packet in bytes the broker accepts or sends (mqtt.max.packet.size, env MQTT_MAX_PACKET_SIZE)")
    private Integer maxPacketSize = 1024 * 1024;

    @ConfigProperty(
            defaultValue = "0",
            description =
                    "Number of I/O threads of the broker; 0 means one per processor (mqtt.io.threads, env MQTT_IO_THREADS)")
    private Integer ioThreads = 0;

    @ConfigProperty(
            defaultValue = "0",
            description =
                    "Most MQTT network connections at once; 0 means no limit (mqtt.max.connections, env MQTT_MAX_CONNECTIONS)")
    private Integer maxConnections = 0;

    @ConfigProperty(
            defaultValue = "32",
            description =
                    "Most unacknowledged QoS 1/2 messages sent to one session, also to a message-driven bean (mqtt.max.inflight, env MQTT_MAX_INFLIGHT)")
    private Integer maxInflight = 32;

    @ConfigProperty(
            defaultValue = "256",
            description =
                    "Receive Maximum announced to MQTT 5 clients (mqtt.receive.maximum, env MQTT_RECEIVE_MAXIMUM)")
    private Integer receiveMaximum = 256;

    @ConfigProperty(
            defaultValue = "16",
            description =
                    "Most topic aliases the broker assigns on PUBLISHes to one MQTT 5 client that accepts aliases (fewer if the client's Topic Alias Maximum is lower); 0 turns them off (mqtt.outgoing.topic.alias.maximum, env MQTT_OUTGOING_TOPIC_ALIAS_MAXIMUM)")
    private Integer outgoingTopicAliasMaximum = 16;

    @ConfigProperty(
            defaultValue = "1000",
            description =
                    "Most messages queued for one session, counted in the store (a persistent session holds only a read-ahead of them on the heap); beyond it the newest is dropped (mqtt.max.queued.messages, env MQTT_MAX_QUEUED_MESSAGES)")
    private Integer maxQueuedMessages = 1000;

    @ConfigProperty(
            defaultValue = "1048576",
            description =
                    "Bytes that may wait to be written to one connection; beyond them QoS 0 messages for it are dropped (mqtt.outbound.buffer.bytes, env MQTT_OUTBOUND_BUFFER_BYTES)")
    private Integer outboundBufferBytes = 1024 * 1024;

    @ConfigProperty(
            defaultValue = "10",
            description =
                    "Seconds a new connection has to send CONNECT (mqtt.connect.timeout.seconds, env MQTT_CONNECT_TIMEOUT_SECONDS)")
    private Integer connectTimeoutSeconds = 10;

    @ConfigProperty(
            defaultValue = "10",
            description =
                    "Seconds between $SYS statistics publications (mqtt.sys.interval.seconds, env MQTT_SYS_INTERVAL_SECONDS)")
    private Integer sysIntervalSeconds = 10;

    @ConfigProperty(
            defaultValue = "-1",
            description =
                    "Port of the MQTT over TLS listener, usually 8883; -1 turns it off (mqtt.tls.port, env MQTT_TLS_PORT)")
    private Integer tlsPort = -1;

    @ConfigProperty(
            defaultValue = "-1",
            description = "Port of the MQTT over WebSocket listener; -1 turns it off (mqtt.ws.port, env MQTT_WS_PORT)")
    private Integer wsPort = -1;

    @ConfigProperty(
            defaultValue = "-1",
            description =
                    "Port of the MQTT over secure WebSocket listener; -1 turns it off (mqtt.wss.port, env MQTT_WSS_PORT)")
    private Integer wssPort = -1;

    @ConfigProperty(
            defaultValue = "/mqtt",
            description = "HTTP path of the WebSocket listeners (mqtt.ws.path, env MQTT_WS_PATH)")
    private String wsPath = "/mqtt";

    @ConfigProperty(
            defaultValue = "",
            description =
                    "Key store (PKCS12 or JKS file) with the TLS server certificate; empty: the server's own key store (javax.net.ssl.keyStore) (mqtt.tls.key.store.path)")
    private String keyStorePath = "";

    @ConfigProperty(
            defaultValue = "",
            confidential = true,
            description = "Password of the TLS key store; use a Payara password alias (mqtt.tls.key.store.password)")
    private String keyStorePassword = "";

    @ConfigProperty(
            defaultValue = "PKCS12",
            description = "Type of the TLS key store: PKCS12 or JKS (mqtt.tls.key.store.type)")
    private String keyStoreType = "PKCS12";

    @ConfigProperty(
            defaultValue = "",
            description =
                    "Key the TLS listeners present from a key store with several; empty: s1as in the server's key store, the only key in an own one (mqtt.tls.key.alias, env MQTT_TLS_KEY_ALIAS)")
    private String keyAlias = "";

    @ConfigProperty(
            defaultValue = "NONE",
            description =
                    "TLS client certificates: NONE, WANT or NEED (mqtt.tls.client.auth, env MQTT_TLS_CLIENT_AUTH)")
    private String tlsClientAuth = "NONE";

    @ConfigProperty(
            defaultValue = "",
            description = "Trust store for TLS client certificates (mqtt.tls.trust.store.path)")
    private String trustStorePath = "";

    @ConfigProperty(
            defaultValue = "",
            confidential = true,
            description = "Password of the TLS trust store (mqtt.tls.trust.store.password)")
    private String trustStorePassword = "";

    @ConfigProperty(
            defaultValue = "PKCS12",
            description = "Type of the TLS trust store: PKCS12 or JKS (mqtt.tls.trust.store.type)")
    private String trustStoreType = "PKCS12";

    @ConfigProperty(
            defaultValue = "none",
            description =
                    "Where MQTT user names and passwords are checked: none, realm (a Payara security realm) or password-file (mqtt.auth.mode, env MQTT_AUTH_MODE)")
    private String authMode = "none";

    @ConfigProperty(
            defaultValue = "file",
            description =
                    "Payara security realm for auth mode realm; users: asadmin create-file-user (mqtt.auth.realm)")
    private String realmName = "file";

    @ConfigProperty(
            defaultValue = "mqtt-users",
            description =
                    "Realm group every MQTT user must have; empty: any user of the realm (mqtt.auth.required.group)")
    private String requiredGroup = "mqtt-users";

    @ConfigProperty(
            defaultValue = "",
            description = "Mosquitto-style password file for auth mode password-file (mqtt.auth.password.file)")
    private String passwordFile = "";

    @ConfigProperty(
            defaultValue = "",
            description =
                    "Mosquitto-style ACL file (user, role, topic, pattern with %u/%c); empty: authenticated clients may use every topic (mqtt.acl.file)")
    private String aclFile = "";

    @ConfigProperty(
            defaultValue = "false",
            description = "Only the admin role may subscribe to $SYS topics (mqtt.sys.admin.only)")
    private Boolean sysAdminOnly = false;

    @ConfigProperty(
            defaultValue = "mqtt-admins",
            description = "Role (realm group) of the broker's administrators (mqtt.admin.role)")
    private String adminRole = "mqtt-admins";

    @ConfigProperty(
            defaultValue = "false",
            description =
                    "With auth mode none, listen on a non-loopback bindAddress anyway (mqtt.allow.unauthenticated.network)")
    private Boolean allowUnauthenticatedNetwork = false;

    @ConfigProperty(
            defaultValue = "false",
            description =
                    "With authentication, still admit clients that send no user name, under the ACL's anonymous rules (mqtt.allow.anonymous)")
    private Boolean allowAnonymous = false;

    @ConfigProperty(
            defaultValue = "",
            description =
                    "Directory of the broker's embedded H2 store (mqtt.data.dir, env MQTT_DATA_DIR); empty: <instance root>/mqtt-ra")
    private String dataDirectory = "";

    @ConfigProperty(
            defaultValue = "",
            description =
                    "JNDI name of a JDBC data source (e.g. PostgreSQL) for the broker's store; empty: embedded H2 file in the data directory (mqtt.store.data.source)")
    private String storeDataSource = "";

    private final Map<ActivationKey, MqttActivation> activations = new ConcurrentHashMap<>();
    private volatile MqttBroker broker;
    private volatile MqttResourceManager resourceManager;
    private volatile JpaStores store;
    private volatile WorkManager workManager;
    private WorkManagerExecutor brokerThreads;
    private ConfigOverrides overrides;

    @Override
    public void start(BootstrapContext context) throws ResourceAdapterInternalException {
        workManager = context.getWorkManager();
        brokerThreads = new WorkManagerExecutor(workManager);
        BrokerConfig config;
        BrokerSettings settings = new BrokerSettings(overrides != null ? overrides : ConfigOverrides.fromServer());
        try {
            config = settings.resolve(this, brokerThreads);
        } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
            throw new ResourceAdapterInternalException("Invalid MQTT broker setting: " + e.getMessage(), e);
        }
        JpaStores opened;
        try {
            opened = JpaStores.open(
                    StoreLocation.resolve(
                            settings.text(BrokerSettings.STORE_DATA_SOURCE, storeDataSource),
                            settings.text(BrokerSettings.DATA_DIR, dataDirectory)),
                    brokerThreads);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "MQTT broker store cannot be opened: " + e.getMessage(), e);
            throw new ResourceAdapterInternalException("MQTT broker store cannot be opened: " + e.getMessage(), e);
        }
        store = opened;
        MqttBroker started = null;
        try {
            started = new MqttBroker(config, brokerThreads, opened.stores());
            // Bind here, on the deploy thread: a bind failure inside a Work would not fail the deployment.
            started.start();
        } catch (RuntimeException e) {
            stopQuietly(started);
            String where = config.bindAddress() + ":" + config.port();
            LOG.severe(() -> "MQTT broker cannot listen on " + where + ": " + e.getMessage());
            throw new ResourceAdapterInternalException(
                    "MQTT broker cannot listen on " + where + ": " + e.getMessage(), e);
        }
        broker = started;
        MqttResourceManager rm =
                new MqttResourceManager(opened.transactions(), MessageSink.of(started), TRANSACTION_TIMEOUT_MILLIS);
        // Before any XAResource is handed out: recovery must find every branch prepared before a crash.
        rm.loadPrepared();
        resourceManager = rm;
        logListener(config.bindAddress(), started.port());
    }

    @Override
    public void stop() {
        activations.values().forEach(MqttActivation::deactivate);
        activations.clear();
        MqttBroker stopping = broker;
        broker = null;
        resourceManager = null;
        stopQuietly(stopping);
        LOG.info("MQTT broker stopped");
    }

    /**
     * Stops the broker (if any), then the store (its writer commits what is queued), then waits for their Works,
     * so none runs on after the RAR's class loader is gone.
     */
    private void stopQuietly(MqttBroker target) {
        if (target != null) {
            try {
                target.stop();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "MQTT broker did not stop cleanly", e);
            }
        }
        JpaStores closing = store;
        store = null;
        if (closing != null) {
            try {
                closing.close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "MQTT broker store did not close cleanly", e);
            }
        }
        if (brokerThreads == null) {
            return;
        }
        try {
            if (!brokerThreads.awaitTermination(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warning(() -> brokerThreads.running() + " broker thread(s) still running " + STOP_TIMEOUT_SECONDS
                        + " s after stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Who may connect (authentication, loopback) is logged by the broker itself. */
    private static void logListener(String bindAddress, int boundPort) {
        LOG.info(() -> "MQTT broker listening on " + bindAddress + ":" + boundPort + " (MQTT 3.1.1 and 5.0)");
    }

    /** Synchronized so that two beans cannot claim the same client identifier at the same time. */
    @Override
    public synchronized void endpointActivation(MessageEndpointFactory endpointFactory, ActivationSpec spec)
            throws ResourceException {
        if (!(spec instanceof MqttActivationSpec mqttSpec)) {
            throw new NotSupportedException(
                    "Not an MQTT activation spec: " + spec.getClass().getName());
        }
        // A second session with the same client identifier would take the first one over ([MQTT-3.1.4-2] in
        // 3.1.1, [MQTT-3.1.4-3] in 5.0): the first bean would silently stop receiving. Refuse the deployment.
        String clientId = MqttActivation.clientId(endpointFactory, mqttSpec);
        for (MqttActivation active : activations.values()) {
            if (active.clientId().equals(clientId)) {
                throw new NotSupportedException("MQTT client id '" + clientId + "' of message-driven bean "
                        + endpointFactory.getEndpointClass().getName() + " is already used by " + active.beanName()
                        + "; give the bean another clientId activation config property");
            }
        }
        MqttActivation activation =
                MqttActivation.activate(requireBroker(), resourceManager(), workManager, endpointFactory, mqttSpec);
        activations.put(new ActivationKey(endpointFactory, spec), activation);
    }

    @Override
    public void endpointDeactivation(MessageEndpointFactory endpointFactory, ActivationSpec spec) {
        MqttActivation activation = activations.remove(new ActivationKey(endpointFactory, spec));
        if (activation != null) {
            activation.deactivate();
        }
    }

    /**
     * For the transaction manager's recovery: one XAResource of the broker's resource manager, whose
     * {@code recover} returns every prepared branch (inbound and outbound share the resource manager).
     */
    @Override
    public XAResource[] getXAResources(ActivationSpec[] specs) {
        MqttResourceManager rm = resourceManager;
        return rm == null ? new XAResource[0] : new XAResource[] {rm.newXAResource(null)};
    }

    /**
     * The broker as an XA resource manager, for the outbound connections' and the inbound deliveries' XAResources.
     *
     * @throws IllegalStateException when the adapter is not started
     */
    public MqttResourceManager resourceManager() {
        MqttResourceManager rm = resourceManager;
        if (rm == null) {
            throw new IllegalStateException("the MQTT resource adapter is not started");
        }
        return rm;
    }

    /**
     * The running broker, for the outbound connections.
     *
     * @throws IllegalStateException when the adapter is not started
     */
    public MqttBroker broker() {
        return requireBroker();
    }

    /**
     * The broker's durable store (for the transaction log of the outbound XAResource).
     *
     * @throws IllegalStateException when the adapter is not started
     */
    public JpaStores store() {
        JpaStores current = store;
        if (current == null) {
            throw new IllegalStateException("the MQTT resource adapter is not started");
        }
        return current;
    }

    private MqttBroker requireBroker() {
        MqttBroker current = broker;
        if (current == null) {
            throw new IllegalStateException("the MQTT resource adapter is not started");
        }
        return current;
    }

    /** Replaces the server's MicroProfile Config, so that tests do not depend on the environment. */
    void overrides(ConfigOverrides replacement) {
        this.overrides = replacement;
    }

    /** The message-driven beans currently bound (for tests and monitoring). */
    List<MqttActivation> activations() {
        return List.copyOf(activations.values());
    }

    public Integer getPort() {
        return port;
    }

    public void setPort(Integer port) {
        this.port = port;
    }

    public String getBindAddress() {
        return bindAddress;
    }

    public void setBindAddress(String bindAddress) {
        this.bindAddress = bindAddress;
    }

    public Integer getMaxPacketSize() {
        return maxPacketSize;
    }

    public void setMaxPacketSize(Integer maxPacketSize) {
        this.maxPacketSize = maxPacketSize;
    }

    public Integer getIoThreads() {
        return ioThreads;
    }

    public void setIoThreads(Integer ioThreads) {
        this.ioThreads = ioThreads;
    }

    public Integer getMaxConnections() {
        return maxConnections;
    }

    public void setMaxConnections(Integer maxConnections) {
        this.maxConnections = maxConnections;
    }

    public Integer getMaxInflight() {
        return maxInflight;
    }

    public void setMaxInflight(Integer maxInflight) {
        this.maxInflight = maxInflight;
    }

    public Integer getReceiveMaximum() {
        return receiveMaximum;
    }

    public void setReceiveMaximum(Integer receiveMaximum) {
        this.receiveMaximum = receiveMaximum;
    }

    public Integer getOutboundBufferBytes() {
        return outboundBufferBytes;
    }

    public void setOutboundBufferBytes(Integer outboundBufferBytes) {
        this.outboundBufferBytes = outboundBufferBytes;
    }

    public Integer getOutgoingTopicAliasMaximum() {
        return outgoingTopicAliasMaximum;
    }

    public void setOutgoingTopicAliasMaximum(Integer outgoingTopicAliasMaximum) {
        this.outgoingTopicAliasMaximum = outgoingTopicAliasMaximum;
    }

    public Integer getMaxQueuedMessages() {
        return maxQueuedMessages;
    }

    public void setMaxQueuedMessages(Integer maxQueuedMessages) {
        this.maxQueuedMessages = maxQueuedMessages;
    }

    public Integer getConnectTimeoutSeconds() {
        return connectTimeoutSeconds;
    }

    public void setConnectTimeoutSeconds(Integer connectTimeoutSeconds) {
        this.connectTimeoutSeconds = connectTimeoutSeconds;
    }

    public Integer getSysIntervalSeconds() {
        return sysIntervalSeconds;
    }

    public void setSysIntervalSeconds(Integer sysIntervalSeconds) {
        this.sysIntervalSeconds = sysIntervalSeconds;
    }

    private record ActivationKey(MessageEndpointFactory factory, ActivationSpec spec) {}

    public Integer getTlsPort() {
        return tlsPort;
    }

    public void setTlsPort(Integer tlsPort) {
        this.tlsPort = tlsPort;
    }

    public Integer getWsPort() {
        return wsPort;
    }

    public void setWsPort(Integer wsPort) {
        this.wsPort = wsPort;
    }

    public Integer getWssPort() {
        return wssPort;
    }

    public void setWssPort(Integer wssPort) {
        this.wssPort = wssPort;
    }

    public String getWsPath() {
        return wsPath;
    }

    public void setWsPath(String wsPath) {
        this.wsPath = wsPath;
    }

    public String getKeyStorePath() {
        return keyStorePath;
    }

    public void setKeyStorePath(String keyStorePath) {
        this.keyStorePath = keyStorePath;
    }

    public String getKeyStorePassword() {
        return keyStorePassword;
    }

    public void setKeyStorePassword(String keyStorePassword) {
        this.keyStorePassword = keyStorePassword;
    }

    public String getKeyStoreType() {
        return keyStoreType;
    }

    public void setKeyStoreType(String keyStoreType) {
        this.keyStoreType = keyStoreType;
    }

    public String getKeyAlias() {
        return keyAlias;
    }

    public void setKeyAlias(String keyAlias) {
        this.keyAlias = keyAlias;
    }

    public String getTlsClientAuth() {
        return tlsClientAuth;
    }

    public void setTlsClientAuth(String tlsClientAuth) {
        this.tlsClientAuth = tlsClientAuth;
    }

    public String getTrustStorePath() {
        return trustStorePath;
    }

    public void setTrustStorePath(String trustStorePath) {
        this.trustStorePath = trustStorePath;
    }

    public String getTrustStorePassword() {
        return trustStorePassword;
    }

    public void setTrustStorePassword(String trustStorePassword) {
        this.trustStorePassword = trustStorePassword;
    }

    public String getTrustStoreType() {
        return trustStoreType;
    }

    public void setTrustStoreType(String trustStoreType) {
        this.trustStoreType = trustStoreType;
    }

    public String getDataDirectory() {
        return dataDirectory;
    }

    public void setDataDirectory(String dataDirectory) {
        this.dataDirectory = dataDirectory;
    }

    public String getStoreDataSource() {
        return storeDataSource;
    }

    public void setStoreDataSource(String storeDataSource) {
        this.storeDataSource = storeDataSource;
    }

    public String getAuthMode() {
        return authMode;
    }

    public void setAuthMode(String authMode) {
        this.authMode = authMode;
    }

    public String getRealmName() {
        return realmName;
    }

    public void setRealmName(String realmName) {
        this.realmName = realmName;
    }

    public String getRequiredGroup() {
        return requiredGroup;
    }

    public void setRequiredGroup(String requiredGroup) {
        this.requiredGroup = requiredGroup;
    }

    public String getPasswordFile() {
        return passwordFile;
    }

    public void setPasswordFile(String passwordFile) {
        this.passwordFile = passwordFile;
    }

    public String getAclFile() {
        return aclFile;
    }

    public void setAclFile(String aclFile) {
        this.aclFile = aclFile;
    }

    public Boolean getSysAdminOnly() {
        return sysAdminOnly;
    }

    public void setSysAdminOnly(Boolean sysAdminOnly) {
        this.sysAdminOnly = sysAdminOnly;
    }

    public String getAdminRole() {
        return adminRole;
    }

    public void setAdminRole(String adminRole) {
        this.adminRole = adminRole;
    }

    public Boolean getAllowUnauthenticatedNetwork() {
        return allowUnauthenticatedNetwork;
    }

    public void setAllowUnauthenticatedNetwork(Boolean allowUnauthenticatedNetwork) {
        this.allowUnauthenticatedNetwork = allowUnauthenticatedNetwork;
    }

    public Boolean getAllowAnonymous() {
        return allowAnonymous;
    }

    public void setAllowAnonymous(Boolean allowAnonymous) {
        this.allowAnonymous = allowAnonymous;
    }
}
