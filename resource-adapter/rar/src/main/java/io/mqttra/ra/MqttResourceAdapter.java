package io.mqttra.ra;

import io.mqttra.broker.BrokerConfig;
import io.mqttra.broker.MqttBroker;
import io.mqttra.ra.inflow.MqttActivation;
import io.mqttra.ra.inflow.MqttActivationSpec;
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
import java.net.InetAddress;
import java.net.UnknownHostException;
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
        description = "An MQTT 3.1.1 / 5.0 broker inside the server, with message-driven beans and a connection factory",
        vendorName = "mqtt-ra",
        eisType = "MQTT",
        version = "0.1.0",
        transactionSupport = TransactionSupport.TransactionSupportLevel.NoTransaction,
        reauthenticationSupport = false)
public class MqttResourceAdapter implements ResourceAdapter {

    private static final Logger LOG = Logger.getLogger(MqttResourceAdapter.class.getName());

    /** How long stop() waits for the broker's threads (Works) to end before it gives up and logs them. */
    private static final long STOP_TIMEOUT_SECONDS = 10;

    @ConfigProperty(defaultValue = "1883", description = "TCP port of the MQTT listener (MicroProfile Config mqtt.port, env MQTT_PORT); 0 picks a free port")
    private Integer port = 1883;

    @ConfigProperty(defaultValue = "127.0.0.1", description = "Address of the MQTT listener (mqtt.bind.address, env MQTT_BIND_ADDRESS); loopback while no authentication is configured")
    private String bindAddress = "127.0.0.1";

    @ConfigProperty(defaultValue = "1048576", description = "Largest MQTT packet in bytes the broker accepts or sends (mqtt.max.packet.size, env MQTT_MAX_PACKET_SIZE)")
    private Integer maxPacketSize = 1024 * 1024;

    @ConfigProperty(defaultValue = "0", description = "Number of I/O threads of the broker; 0 means one per processor (mqtt.io.threads, env MQTT_IO_THREADS)")
    private Integer ioThreads = 0;

    @ConfigProperty(defaultValue = "0", description = "Most MQTT network connections at once; 0 means no limit (mqtt.max.connections, env MQTT_MAX_CONNECTIONS)")
    private Integer maxConnections = 0;

    @ConfigProperty(defaultValue = "32", description = "Most unacknowledged QoS 1/2 messages sent to one session, also to a message-driven bean (mqtt.max.inflight, env MQTT_MAX_INFLIGHT)")
    private Integer maxInflight = 32;

    @ConfigProperty(defaultValue = "256", description = "Receive Maximum announced to MQTT 5 clients (mqtt.receive.maximum, env MQTT_RECEIVE_MAXIMUM)")
    private Integer receiveMaximum = 256;

    @ConfigProperty(defaultValue = "1000", description = "Most messages queued for one session; beyond it the newest is dropped (mqtt.max.queued.messages, env MQTT_MAX_QUEUED_MESSAGES)")
    private Integer maxQueuedMessages = 1000;

    @ConfigProperty(defaultValue = "10", description = "Seconds a new connection has to send CONNECT (mqtt.connect.timeout.seconds, env MQTT_CONNECT_TIMEOUT_SECONDS)")
    private Integer connectTimeoutSeconds = 10;

    @ConfigProperty(defaultValue = "10", description = "Seconds between $SYS statistics publications (mqtt.sys.interval.seconds, env MQTT_SYS_INTERVAL_SECONDS)")
    private Integer sysIntervalSeconds = 10;

    private final Map<ActivationKey, MqttActivation> activations = new ConcurrentHashMap<>();
    private volatile MqttBroker broker;
    private volatile WorkManager workManager;
    private WorkManagerExecutor brokerThreads;
    private ConfigOverrides overrides;

    @Override
    public void start(BootstrapContext context) throws ResourceAdapterInternalException {
        BrokerConfig config;
        try {
            config = new BrokerSettings(overrides != null ? overrides : ConfigOverrides.fromServer()).resolve(this);
        } catch (IllegalArgumentException e) {
            throw new ResourceAdapterInternalException("Invalid MQTT broker setting: " + e.getMessage(), e);
        }
        workManager = context.getWorkManager();
        brokerThreads = new WorkManagerExecutor(workManager);
        MqttBroker started = null;
        try {
            started = new MqttBroker(config, brokerThreads);
            // Bind here, on the deploy thread: a bind failure inside a Work would not fail the deployment.
            started.start();
        } catch (RuntimeException e) {
            if (started != null) {
                stopQuietly(started);
            }
            String where = config.bindAddress() + ":" + config.port();
            LOG.severe(() -> "MQTT broker cannot listen on " + where + ": " + e.getMessage());
            throw new ResourceAdapterInternalException("MQTT broker cannot listen on " + where + ": " + e.getMessage(), e);
        }
        broker = started;
        logListener(config.bindAddress(), started.port());
    }

    @Override
    public void stop() {
        activations.values().forEach(MqttActivation::deactivate);
        activations.clear();
        MqttBroker stopping = broker;
        broker = null;
        if (stopping != null) {
            stopQuietly(stopping);
            LOG.info("MQTT broker stopped");
        }
    }

    /** Stops the broker and waits for its Works, so none runs on after the RAR's class loader is gone. */
    private void stopQuietly(MqttBroker target) {
        try {
            target.stop();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "MQTT broker did not stop cleanly", e);
        }
        try {
            if (!brokerThreads.awaitTermination(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warning(() -> brokerThreads.running() + " broker thread(s) still running "
                        + STOP_TIMEOUT_SECONDS + " s after stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void logListener(String bindAddress, int boundPort) {
        LOG.info(() -> "MQTT broker listening on " + bindAddress + ":" + boundPort + " (MQTT 3.1.1 and 5.0)");
        if (isLoopback(bindAddress)) {
            LOG.info(() -> "MQTT listener is loopback-only because no authentication is configured: only clients on"
                    + " this machine can connect (set mqtt.bind.address / MQTT_BIND_ADDRESS to change it)");
        } else {
            LOG.warning(() -> "MQTT listener on " + bindAddress + " accepts clients from the network WITHOUT"
                    + " authentication: no authentication is configured");
        }
    }

    private static boolean isLoopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public void endpointActivation(MessageEndpointFactory endpointFactory, ActivationSpec spec) throws ResourceException {
        if (!(spec instanceof MqttActivationSpec mqttSpec)) {
            throw new NotSupportedException("Not an MQTT activation spec: " + spec.getClass().getName());
        }
        MqttActivation activation = MqttActivation.activate(requireBroker(), workManager, endpointFactory, mqttSpec);
        activations.put(new ActivationKey(endpointFactory, spec), activation);
    }

    @Override
    public void endpointDeactivation(MessageEndpointFactory endpointFactory, ActivationSpec spec) {
        MqttActivation activation = activations.remove(new ActivationKey(endpointFactory, spec));
        if (activation != null) {
            activation.deactivate();
        }
    }

    /** Inbound recovery comes with transacted delivery; until then there is nothing in doubt. */
    @Override
    public XAResource[] getXAResources(ActivationSpec[] specs) {
        return new XAResource[0];
    }

    /**
     * The running broker, for the outbound connections.
     *
     * @throws IllegalStateException when the adapter is not started
     */
    public MqttBroker broker() {
        return requireBroker();
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

    private record ActivationKey(MessageEndpointFactory factory, ActivationSpec spec) {
    }
}
