package io.mqttra.samples.it.tx;

import io.mqttra.api.MqttMessage;
import io.mqttra.api.MqttMessageListener;
import io.mqttra.api.OnMqttMessage;
import io.mqttra.samples.orders.OrderCreated;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;

/**
 * A transacted bean that writes one row per message in its transaction (XA data source + the delivery's XAResource:
 * two-phase commit). Also observes {@code orders/created}, bound from JSON to a record with JSON-B.
 */
@MessageDriven(
        activationConfig = {
            @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = "mqtt-ra"),
            @ActivationConfigProperty(propertyName = "clientId", propertyValue = "it-recording"),
            @ActivationConfigProperty(propertyName = "maxConcurrency", propertyValue = "4")
        })
public class RecordingBean implements MqttMessageListener {

    @PersistenceContext(unitName = "orders")
    EntityManager em;

    @OnMqttMessage(value = "it/tx/record/#", qos = 2)
    public void onRecord(MqttMessage message) {
        em.persist(new ReceivedRow("record", message.topic(), message.payloadAsString(), message.dup()));
    }

    @OnMqttMessage(value = "orders/created", qos = 1)
    public void onOrder(OrderCreated order) {
        em.persist(new ReceivedRow(
                "orders", "orders/created", order.id() + "|" + order.item() + "|" + order.quantity(), false));
    }
}
