package io.mqttra.samples.it;

import io.mqttra.api.MqttConnection;
import io.mqttra.api.MqttConnectionFactory;
import io.mqttra.api.MqttMessage;
import io.mqttra.api.MqttMessageListener;
import io.mqttra.api.OnMqttMessage;
import io.mqttra.api.PublishProperties;
import jakarta.annotation.Resource;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;

/**
 * Test bean for MQTT 5 request/response: records the request's properties and answers on its response topic with
 * its correlation data, through the connection factory.
 */
@MessageDriven(
        activationConfig = {@ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = "mqtt-ra")})
public class Responder implements MqttMessageListener {

    @Resource(lookup = "mqtt/ConnectionFactory")
    MqttConnectionFactory mqtt;

    @Inject
    ReceivedMessages received;

    @OnMqttMessage(value = "it/request", qos = 1)
    public void onRequest(MqttMessage request) {
        PublishProperties properties = request.properties();
        received.add(
                "request",
                request.topic(),
                request.qos(),
                properties.contentType() + ";"
                        + request.userProperties().stream()
                                .map(u -> u.name() + "=" + u.value())
                                .collect(Collectors.joining(",")));
        if (properties.responseTopic() == null) {
            return;
        }
        PublishProperties reply = PublishProperties.builder()
                .correlationData(properties.correlationData())
                .contentType("text/plain")
                .userProperty("handled-by", "Responder")
                .build();
        try (MqttConnection connection = mqtt.getConnection()) {
            connection.publish(
                    properties.responseTopic(),
                    ("echo:" + request.payloadAsString()).getBytes(StandardCharsets.UTF_8),
                    1,
                    false,
                    reply);
        }
    }
}
