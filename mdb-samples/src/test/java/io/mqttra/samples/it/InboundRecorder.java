package io.mqttra.samples.it;

import io.mqttra.api.MqttMessage;
import io.mqttra.api.MqttMessageListener;
import io.mqttra.api.OnMqttMessage;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.inject.Inject;

/** Test bean: records what the resource adapter delivers, for {@link ReceivedResource} to show to the test. */
@MessageDriven(
        activationConfig = {@ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = "mqtt-ra")})
public class InboundRecorder implements MqttMessageListener {

    @Inject
    ReceivedMessages received;

    @OnMqttMessage(value = "it/inbound/#", qos = 1)
    public void onMessage(MqttMessage message) {
        received.add("message", message.topic(), message.qos(), message.payloadAsString());
    }

    @OnMqttMessage(value = "it/text/+", qos = 0)
    public void onText(String text) {
        received.add("text", "", -1, text);
    }

    @OnMqttMessage(value = "it/bytes", qos = 2)
    public void onBytes(byte[] payload) {
        received.add("bytes", "", -1, payload.length + " bytes");
    }
}
