package io.mqttra.api;

/**
 * Marker interface of message-driven beans fed by the MQTT resource adapter.
 *
 * <p>It has no methods on purpose: every public method of the bean that carries {@link OnMqttMessage}
 * subscribes to that annotation's topic filter and is invoked with each matching message.
 */
public interface MqttMessageListener {}
