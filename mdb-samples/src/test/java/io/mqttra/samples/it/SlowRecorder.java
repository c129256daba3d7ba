package io.mqttra.samples.it;

import io.mqttra.api.MqttMessageListener;
import io.mqttra.api.OnMqttMessage;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.inject.Inject;

/**
 * Test bean with a pool of 4 instances (glassfish-ejb-jar.xml) but 16 deliveries at a time: the container refuses
 * endpoints beyond its pool, and the adapter must wait and retry rather than lose messages.
 */
@MessageDriven(
        activationConfig = {
            @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = "mqtt-ra"),
            @ActivationConfigProperty(propertyName = "maxConcurrency", propertyValue = "16")
        })
public class SlowRecorder implements MqttMessageListener {

    @Inject
    ReceivedMessages received;

    @OnMqttMessage(value = "it/slow/+", qos = 1)
    public void onMessage(String payload) throws InterruptedException {
        received.enter();
        try {
            Thread.sleep(50);
            received.add("slow", "", -1, payload);
        } finally {
            received.exit();
        }
    }
}
