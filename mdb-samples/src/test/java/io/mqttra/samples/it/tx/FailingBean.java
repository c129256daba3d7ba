package io.mqttra.samples.it.tx;

import io.mqttra.api.MqttMessage;
import io.mqttra.api.MqttMessageListener;
import io.mqttra.api.OnMqttMessage;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;

/**
 * A transacted bean (container-managed, REQUIRED) that writes a row and then always throws: the row is rolled back,
 * the message redelivered (DUP) twice, then moved to the dead-letter topic with the reason.
 */
@MessageDriven(
        activationConfig = {
            @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = "mqtt-ra"),
            @ActivationConfigProperty(propertyName = "clientId", propertyValue = "it-failing"),
            @ActivationConfigProperty(propertyName = "redeliveryLimit", propertyValue = "2"),
            @ActivationConfigProperty(propertyName = "redeliveryDelayMillis", propertyValue = "200"),
            @ActivationConfigProperty(propertyName = "deadLetterTopic", propertyValue = "it/dead/failing")
        })
public class FailingBean implements MqttMessageListener {

    @PersistenceContext(unitName = "orders")
    EntityManager em;

    @Inject
    Attempts attempts;

    @OnMqttMessage(value = "it/tx/failing/#", qos = 1)
    public void onMessage(MqttMessage message) {
        attempts.add(message.payloadAsString() + "|dup=" + message.dup());
        em.persist(new ReceivedRow("failing", message.topic(), message.payloadAsString(), message.dup()));
        throw new IllegalStateException("refusing " + message.payloadAsString() + " on purpose");
    }
}
