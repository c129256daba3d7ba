package io.mqttra.samples.sysmonitor;

import io.mqttra.api.MqttMessageListener;
import io.mqttra.api.MqttTopic;
import io.mqttra.api.OnMqttMessage;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import java.util.logging.Logger;

/**
 * A monitor of the broker's own statistics: the broker publishes them under {@code $SYS/broker/...} (retained,
 * QoS 0, every {@code sysIntervalSeconds}, with Mosquitto's topic names); this bean keeps the latest value of
 * each for {@code GET /api/sys} and logs a warning whenever the count of dropped messages grows. Wildcards at the
 * first level never match {@code $} topics, which is why the filter names {@code $SYS} itself.
 */
@MessageDriven(
        activationConfig = {
            @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = "mqtt-ra"),
            @ActivationConfigProperty(propertyName = "clientId", propertyValue = "mdb:sys-monitor"),
            // Values of one topic must be applied in the order they were published, or an old one would win.
            @ActivationConfigProperty(propertyName = "maxConcurrency", propertyValue = "1")
        })
public class SysMonitor implements MqttMessageListener {

    public static final String FILTER = "$SYS/broker/#";

    private static final Logger LOG = Logger.getLogger(SysMonitor.class.getName());

    @EJB
    private SysValues values;

    @OnMqttMessage(value = FILTER, qos = 0)
    public void onValue(@MqttTopic String topic, String value) {
        String previous = values.update(topic, value);
        if (DroppedMessages.TOPIC.equals(topic)) {
            DroppedMessages.warning(previous, value).ifPresent(LOG::warning);
        }
    }
}
