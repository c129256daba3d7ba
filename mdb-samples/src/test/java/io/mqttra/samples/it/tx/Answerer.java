package io.mqttra.samples.it.tx;

import io.mqttra.api.MqttConnection;
import io.mqttra.api.MqttConnectionFactory;
import io.mqttra.api.MqttMessage;
import io.mqttra.api.MqttMessageListener;
import io.mqttra.api.OnMqttMessage;
import jakarta.annotation.Resource;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import java.nio.charset.StandardCharsets;

/**
 * A transacted bean that takes a question and publishes its answer in the same transaction: the broker is its only
 * resource, so the container commits the delivery and the publish together, in one phase.
 */
@MessageDriven(
        activationConfig = {
            @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = "mqtt-ra"),
            @ActivationConfigProperty(propertyName = "clientId", propertyValue = "it-answerer")
        })
public class Answerer implements MqttMessageListener {

    static final String ANSWER_TOPIC = "it/tx/answer";

    @Resource(lookup = "mqtt/ConnectionFactory")
    MqttConnectionFactory mqtt;

    @OnMqttMessage(value = "it/tx/ask/#", qos = 2)
    public void onQuestion(MqttMessage question) {
        try (MqttConnection connection = mqtt.getConnection()) {
            connection.publish(
                    ANSWER_TOPIC, ("answer:" + question.payloadAsString()).getBytes(StandardCharsets.UTF_8), 2, false);
        }
    }
}
