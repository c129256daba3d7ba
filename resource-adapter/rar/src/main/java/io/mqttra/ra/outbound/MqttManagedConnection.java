package io.mqttra.ra.outbound;

import io.mqttra.api.MqttException;
import io.mqttra.api.PublishProperties;
import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.MqttBroker;
import io.mqttra.ra.tx.MqttXAResource;
import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.LocalTransaction;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionMetaData;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.security.auth.Subject;
import javax.transaction.xa.XAResource;

/**
 * A pooled connection to the broker of this server. There is no socket behind it: publishing goes straight to the
 * broker, except while the server has enlisted the connection's XAResource in a JTA transaction: then each publish
 * is held in the transaction branch and routed only if the transaction commits.
 */
final class MqttManagedConnection implements ManagedConnection {

    private final MqttManagedConnectionFactory factory;
    private final BrokerPublisher publisher;
    private final Set<MqttConnectionHandle> handles = ConcurrentHashMap.newKeySet();
    private final List<ConnectionEventListener> listeners = new CopyOnWriteArrayList<>();
    private PrintWriter logWriter;
    private MqttXAResource xaResource;

    MqttManagedConnection(MqttManagedConnectionFactory factory) {
        this.factory = factory;
        this.publisher = factory.publisher();
    }

    MqttManagedConnectionFactory factory() {
        return factory;
    }

    void publish(String topic, byte[] payload, int qos, boolean retain, PublishProperties properties) {
        ApplicationMessage message = BrokerPublisher.message(topic, payload, qos, retain, properties);
        MqttXAResource xa = xaResource;
        if (xa != null && xa.inTransaction()) {
            try {
                xa.publish(message);
            } catch (IllegalStateException e) {
                throw new MqttException(
                        "Cannot publish to topic '" + topic + "' in this transaction: " + e.getMessage(), e);
            }
            return;
        }
        MqttBroker broker;
        try {
            broker = factory.broker();
        } catch (IllegalStateException e) {
            throw new MqttException("Cannot publish to topic '" + topic + "': " + e.getMessage(), e);
        }
        publisher.publish(broker, message);
    }

    @Override
    public Object getConnection(Subject subject, ConnectionRequestInfo info) {
        MqttConnectionHandle handle = new MqttConnectionHandle(this);
        handles.add(handle);
        return handle;
    }

    /** The application closed a handle: tell the pool, which may then reuse this managed connection. */
    void closed(MqttConnectionHandle handle) {
        handles.remove(handle);
        ConnectionEvent event = new ConnectionEvent(this, ConnectionEvent.CONNECTION_CLOSED);
        event.setConnectionHandle(handle);
        for (ConnectionEventListener listener : listeners) {
            listener.connectionClosed(event);
        }
    }

    @Override
    public void associateConnection(Object connection) throws ResourceException {
        if (!(connection instanceof MqttConnectionHandle handle)) {
            throw new ResourceException("Not an MQTT connection handle: " + connection);
        }
        MqttManagedConnection previous = handle.reassign(this);
        if (previous != null) {
            previous.handles.remove(handle);
        }
        handles.add(handle);
    }

    /** Back to the pool: handles still open are invalidated so that a stale reference cannot publish. */
    @Override
    public void cleanup() {
        for (MqttConnectionHandle handle : handles) {
            handle.invalidate();
        }
        handles.clear();
    }

    @Override
    public void destroy() {
        cleanup();
        listeners.clear();
    }

    @Override
    public void addConnectionEventListener(ConnectionEventListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeConnectionEventListener(ConnectionEventListener listener) {
        listeners.remove(listener);
    }

    /** One XAResource per managed connection, as the connector architecture expects; created on first use. */
    @Override
    public synchronized XAResource getXAResource() throws ResourceException {
        if (xaResource == null) {
            try {
                xaResource = factory.resourceManager().newXAResource(null);
            } catch (IllegalStateException e) {
                throw new ResourceException("No MQTT transactions: " + e.getMessage(), e);
            }
        }
        return xaResource;
    }

    @Override
    public LocalTransaction getLocalTransaction() throws ResourceException {
        throw new NotSupportedException("Local transactions are not supported by the MQTT connection factory");
    }

    @Override
    public ManagedConnectionMetaData getMetaData() {
        return new MqttConnectionMetaData();
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }
}
