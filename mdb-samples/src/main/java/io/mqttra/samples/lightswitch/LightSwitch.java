package io.mqttra.samples.lightswitch;

import io.mqttra.api.MqttConnection;
import io.mqttra.api.MqttConnectionFactory;
import io.mqttra.api.MqttMessageListener;
import io.mqttra.api.OnMqttMessage;
import jakarta.annotation.Resource;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The light switch of the MQTT tutorials, as a message-driven bean: a command {@code {"set":"ON"}} or
 * {@code {"set":"OFF"}} on {@code light-switch/set} switches the light, and the new state is published as the
 * retained message {@code {"status":"ON"}} / {@code {"status":"OFF"}} on {@code light-switch/status}, so that every
 * client that subscribes later learns the current state at once.
 */
@MessageDriven(
        activationConfig = {
            @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = "mqtt-ra"),
            @ActivationConfigProperty(propertyName = "clientId", propertyValue = "mdb:light-switch"),
            // The order of commands matters for a switch: one at a time.
            @ActivationConfigProperty(propertyName = "maxConcurrency", propertyValue = "1")
        })
public class LightSwitch implements MqttMessageListener {

    public static final String SET_TOPIC = "light-switch/set";
    public static final String STATUS_TOPIC = "light-switch/status";

    private static final Logger LOG = Logger.getLogger(LightSwitch.class.getName());

    // Jsonb is thread-safe and costly to create: one for all bean instances.
    private static final Jsonb JSON = JsonbBuilder.create();

    @Resource(lookup = "mqtt/ConnectionFactory")
    private MqttConnectionFactory mqtt;

    @OnMqttMessage(value = SET_TOPIC, qos = 1)
    public void onSet(String payload) {
        Optional<SwitchState> state = SetCommand.parse(JSON, payload);
        if (state.isEmpty()) {
            LOG.warning(() -> "Ignoring an invalid command on " + SET_TOPIC + " (expected {\"set\":\"ON\"} or"
                    + " {\"set\":\"OFF\"}): " + abbreviate(payload));
            return;
        }
        String status = JSON.toJson(new SwitchStatus(state.get()));
        try (MqttConnection connection = mqtt.getConnection()) {
            connection.publish(STATUS_TOPIC, status, 1, true);
        }
        LOG.fine(() -> "Light switched " + state.get());
    }

    private static String abbreviate(String payload) {
        return payload.length() <= 80 ? payload : payload.substring(0, 80) + "...";
    }
}
