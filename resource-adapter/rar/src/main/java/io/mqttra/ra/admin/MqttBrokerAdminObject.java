package io.mqttra.ra.admin;

import io.mqttra.api.MqttException;
import io.mqttra.api.admin.BrokerOverview;
import io.mqttra.api.admin.ClientInfo;
import io.mqttra.api.admin.MetricsSnapshot;
import io.mqttra.api.admin.MqttBrokerAdmin;
import io.mqttra.api.admin.RetainedMessageInfo;
import io.mqttra.api.admin.SessionInfo;
import io.mqttra.api.admin.SubscriptionInfo;
import io.mqttra.ra.MqttResourceAdapter;
import jakarta.resource.spi.AdministeredObject;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterAssociation;
import java.io.Serializable;
import java.util.List;

/**
 * The broker's operations interface as a JCA administered object: created with
 * {@code asadmin create-admin-object --raname mqtt-ra --restype io.mqttra.api.admin.MqttBrokerAdmin mqtt/Admin},
 * injected with {@code @Resource(lookup = "mqtt/Admin")}. The server associates it with the running resource
 * adapter; every call goes to the broker that adapter runs at that moment, so it stays valid across a restart
 * of the broker.
 */
@AdministeredObject(adminObjectInterfaces = MqttBrokerAdmin.class)
public class MqttBrokerAdminObject implements MqttBrokerAdmin, ResourceAdapterAssociation, Serializable {

    private static final long serialVersionUID = 1L;

    private transient MqttResourceAdapter resourceAdapter;

    @Override
    public ResourceAdapter getResourceAdapter() {
        return resourceAdapter;
    }

    @Override
    public void setResourceAdapter(ResourceAdapter ra) {
        if (!(ra instanceof MqttResourceAdapter mqtt)) {
            throw new IllegalArgumentException("not the MQTT resource adapter: " + (ra == null ? null : ra.getClass()));
        }
        this.resourceAdapter = mqtt;
    }

    private MqttBrokerAdmin broker() {
        MqttResourceAdapter ra = resourceAdapter;
        if (ra == null) {
            throw new MqttException("mqtt/Admin is not associated with the MQTT resource adapter");
        }
        try {
            return ra.broker().administration();
        } catch (IllegalStateException e) {
            throw new MqttException("the MQTT broker is not running: " + e.getMessage(), e);
        }
    }

    @Override
    public BrokerOverview overview() {
        MqttResourceAdapter ra = resourceAdapter;
        if (ra == null) {
            throw new MqttException("mqtt/Admin is not associated with the MQTT resource adapter");
        }
        try {
            return ra.broker().administration().overview();
        } catch (IllegalStateException e) {
            // A stopped adapter is a state to show (and a readiness check to fail), not an error.
            return new BrokerOverview(
                    false,
                    List.of(),
                    false,
                    "broker not running: " + e.getMessage(),
                    MetricsSnapshot.empty(System.currentTimeMillis()));
        }
    }

    @Override
    public MetricsSnapshot metrics() {
        return broker().metrics();
    }

    @Override
    public List<ClientInfo> clients() {
        return broker().clients();
    }

    @Override
    public List<SessionInfo> sessions() {
        return broker().sessions();
    }

    @Override
    public List<SubscriptionInfo> subscriptions() {
        return broker().subscriptions();
    }

    @Override
    public List<RetainedMessageInfo> retained(String topicFilter, int limit) {
        return broker().retained(topicFilter, limit);
    }

    @Override
    public boolean disconnect(String clientId) {
        return broker().disconnect(clientId);
    }

    @Override
    public boolean purgeSession(String clientId) {
        return broker().purgeSession(clientId);
    }

    @Override
    public boolean deleteRetained(String topic) {
        return broker().deleteRetained(topic);
    }

    // The server may compare administered objects; all of them reach the same broker.
    @Override
    public boolean equals(Object o) {
        return o instanceof MqttBrokerAdminObject other && other.resourceAdapter == resourceAdapter;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(resourceAdapter);
    }
}
