package io.mqttra.benchmarks;

import com.hivemq.client.mqtt.datatypes.MqttTopic;
import java.nio.ByteBuffer;

/** Called on a client's I/O thread for every PUBLISH it receives; keep it short. */
@FunctionalInterface
interface MessageHandler {

    MessageHandler IGNORE = (topic, payload, retain) -> {};

    void onMessage(MqttTopic topic, ByteBuffer payload, boolean retain);
}
