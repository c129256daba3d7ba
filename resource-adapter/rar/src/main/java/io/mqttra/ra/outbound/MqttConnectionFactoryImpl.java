package io.mqttra.ra.outbound;

import io.mqttra.api.MqttConnection;
import io.mqttra.api.MqttConnectionFactory;
import io.mqttra.api.MqttException;
import jakarta.resource.Referenceable;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import javax.naming.Reference;

/** The {@code mqtt/ConnectionFactory} that applications inject: connections come from the server's pool. */
public final class MqttConnectionFactoryImpl implements MqttConnectionFactory, Referenceable {

    private static final long serialVersionUID = 1L;

    private final transient MqttManagedConnectionFactory managedFactory;
    private final transient ConnectionManager connectionManager;
    private Reference reference;

    MqttConnectionFactoryImpl(MqttManagedConnectionFactory managedFactory, ConnectionManager connectionManager) {
        this.managedFactory = managedFactory;
        this.connectionManager = connectionManager;
    }

    @Override
    public MqttConnection getConnection() {
        try {
            return (MqttConnection) connectionManager.allocateConnection(managedFactory, null);
        } catch (ResourceException e) {
            throw new MqttException("No MQTT connection available: " + e.getMessage(), e);
        }
    }

    @Override
    public void setReference(Reference reference) {
        this.reference = reference;
    }

    @Override
    public Reference getReference() {
        return reference;
    }
}
