package io.mqttra.samples.buildingsensors;

import io.mqttra.api.MqttConnection;
import io.mqttra.api.MqttConnectionFactory;
import io.mqttra.api.MqttMessageListener;
import io.mqttra.api.OnMqttMessage;
import io.mqttra.api.TopicWildcard;
import jakarta.annotation.Resource;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.util.logging.Logger;

/**
 * The building sensors of the MQTT tutorials: every room's sensor publishes JSON readings on
 * {@code house/<room>/sensor}; this bean adds each one up per room (the room is the topic level the {@code +}
 * matched) and publishes the room's summary (count, min/max/mean of temperature and humidity) as the retained
 * message {@code house/<room>/summary}, so a dashboard that subscribes to {@code house/+/summary} learns every room
 * at once. A payload that is not a reading (not JSON, wrong types) cannot be bound to {@link SensorReading}: the
 * adapter moves it to the dead-letter topic {@code $dead-letter/mdb:building-sensors}.
 */
@MessageDriven(
        activationConfig = {
            @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = "mqtt-ra"),
            @ActivationConfigProperty(propertyName = "clientId", propertyValue = "mdb:building-sensors"),
            // Summaries of a room must leave in the order they were added up, or an older one could end up retained.
            @ActivationConfigProperty(propertyName = "maxConcurrency", propertyValue = "1")
        })
public class BuildingSensors implements MqttMessageListener {

    public static final String READINGS_FILTER = "house/+/sensor";

    private static final Logger LOG = Logger.getLogger(BuildingSensors.class.getName());
    private static final Jsonb JSON = JsonbBuilder.create();

    @Resource(lookup = "mqtt/ConnectionFactory")
    private MqttConnectionFactory mqtt;

    @EJB
    private RoomAggregates rooms;

    public static String summaryTopic(String room) {
        return "house/" + room + "/summary";
    }

    @OnMqttMessage(value = READINGS_FILTER, qos = 1)
    public void onReading(SensorReading reading, @TopicWildcard(0) String room) {
        if (reading == null || reading.temperature() == null && reading.humidity() == null) {
            LOG.warning(() -> "Ignoring a reading of room " + room + " without temperature or humidity");
            return;
        }
        RoomSummary summary = rooms.add(room, reading);
        try (MqttConnection connection = mqtt.getConnection()) {
            connection.publish(summaryTopic(room), JSON.toJson(summary), 1, true);
        }
    }
}
