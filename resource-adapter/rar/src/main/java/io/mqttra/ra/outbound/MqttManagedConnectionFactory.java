package io.mqttra.ra.outbound;

import io.mqttra.api.MqttConnection;
import io.mqttra.api.MqttConnectionFactory;
import io.mqttra.broker.MqttBroker;
import io.mqttra.ra.MqttResourceAdapter;
import io.mqttra.ra.tx.MqttResourceManager;
import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConfigProperty;
import jakarta.resource.spi.ConnectionDefinition;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionFactory;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterAssociation;
import jakarta.resource.spi.TransactionSupport;
import java.io.PrintWriter;
import java.util.Objects;
import java.util.Set;
import javax.security.auth.Subject;

/**
 * The outbound side: makes the connection factory that applications look up ({@code mqtt/ConnectionFactory}) and
 * the pooled managed connections behind it. XA transactions: inside a JTA transaction a connection's publishes are
 * held by its XAResource and routed only on commit (see {@link io.mqttra.ra.tx.MqttResourceManager}).
 */
@ConnectionDefinition(
        connectionFactory = MqttConnectionFactory.class,
        connectionFactoryImpl = MqttConnectionFactoryImpl.class,
        connection = MqttConnection.class,
        connectionImpl = MqttConnectionHandle.class)
public class MqttManagedConnectionFactory
        implements ManagedConnectionFactory, ResourceAdapterAssociation, TransactionSupport {

    private static final long serialVersionUID = 1L;

    @ConfigProperty(
            defaultValue = "10000",
            description = "How long publish() waits for the broker to route a message, in milliseconds")
    private Long publishTimeoutMillis = 10_000L;

    private transient MqttResourceAdapter resourceAdapter;
    private transient PrintWriter logWriter;

    @Override
    public Object createConnectionFactory(ConnectionManager connectionManager) {
        return new MqttConnectionFactoryImpl(this, connectionManager);
    }

    /** The broker lives in the server, so there is no use for the factory outside a container. */
    @Override
    public Object createConnectionFactory() throws ResourceException {
        throw new NotSupportedException("The MQTT connection factory is only available inside the application server");
    }

    @Override
    public ManagedConnection createManagedConnection(Subject subject, ConnectionRequestInfo info) {
        return new MqttManagedConnection(this);
    }

    /** All connections to the one broker of the server are alike: any pooled one of ours will do. */
    @Override
    public ManagedConnection matchManagedConnections(
            @SuppressWarnings("rawtypes") Set candidates, Subject subject, ConnectionRequestInfo info) {
        for (Object candidate : candidates) {
            if (candidate instanceof MqttManagedConnection mc && mc.factory() == this) {
                return mc;
            }
        }
        return null;
    }

    MqttBroker broker() {
        if (resourceAdapter == null) {
            throw new IllegalStateException("the connection factory is not associated with the MQTT resource adapter");
        }
        return resourceAdapter.broker();
    }

    MqttResourceManager resourceManager() {
        if (resourceAdapter == null) {
            throw new IllegalStateException("the connection factory is not associated with the MQTT resource adapter");
        }
        return resourceAdapter.resourceManager();
    }

    BrokerPublisher publisher() {
        return new BrokerPublisher(publishTimeoutMillis);
    }

    @Override
    public TransactionSupportLevel getTransactionSupport() {
        return TransactionSupportLevel.XATransaction;
    }

    @Override
    public ResourceAdapter getResourceAdapter() {
        return resourceAdapter;
    }

    @Override
    public void setResourceAdapter(ResourceAdapter adapter) throws ResourceException {
        if (!(adapter instanceof MqttResourceAdapter mqtt)) {
            throw new ResourceException("Not the MQTT resource adapter: " + adapter);
        }
        this.resourceAdapter = mqtt;
    }

    public Long getPublishTimeoutMillis() {
        return publishTimeoutMillis;
    }

    public void setPublishTimeoutMillis(Long publishTimeoutMillis) throws InvalidPropertyException {
        if (publishTimeoutMillis == null || publishTimeoutMillis < 1) {
            throw new InvalidPropertyException("publishTimeoutMillis must be positive, not " + publishTimeoutMillis);
        }
        this.publishTimeoutMillis = publishTimeoutMillis;
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    // The connector architecture asks a ManagedConnectionFactory to compare by configuration.
    @Override
    public boolean equals(Object other) {
        return other instanceof MqttManagedConnectionFactory o
                && Objects.equals(publishTimeoutMillis, o.publishTimeoutMillis)
                && resourceAdapter == o.resourceAdapter;
    }

    @Override
    public int hashCode() {
        return Objects.hash(publishTimeoutMillis);
    }
}
