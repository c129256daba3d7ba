package io.mqttra.ra.outbound;

import io.mqttra.api.MqttConnection;
import io.mqttra.api.MqttException;
import io.mqttra.api.PublishProperties;

/**
 * What the application holds: an {@link MqttConnection} that forwards to the managed connection it is currently
 * associated with (the pool may move it), and that cannot be used once closed.
 */
public final class MqttConnectionHandle implements MqttConnection {

    private volatile MqttManagedConnection managed;
    private volatile boolean closed;

    MqttConnectionHandle(MqttManagedConnection managed) {
        this.managed = managed;
    }

    @Override
    public void publish(String topic, byte[] payload, int qos, boolean retain, PublishProperties properties) {
        MqttManagedConnection current = managed;
        if (closed || current == null) {
            throw new MqttException("The MQTT connection is closed");
        }
        current.publish(topic, payload, qos, retain, properties);
    }

    @Override
    public void close() {
        MqttManagedConnection current;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            current = managed;
            managed = null;
        }
        if (current != null) {
            current.closed(this);
        }
    }

    /** Moves the handle to another managed connection; returns the previous one. */
    synchronized MqttManagedConnection reassign(MqttManagedConnection next) {
        MqttManagedConnection previous = managed;
        managed = next;
        return previous;
    }

    /** The managed connection was cleaned up under the handle: any further use fails. */
    synchronized void invalidate() {
        closed = true;
        managed = null;
    }
}
