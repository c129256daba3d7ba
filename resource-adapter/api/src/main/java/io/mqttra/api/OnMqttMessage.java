package io.mqttra.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Subscribes a method of an {@link MqttMessageListener} bean to an MQTT topic filter.
 *
 * <pre>{@code
 * @OnMqttMessage(value = "house/+/light", qos = 1)
 * public void onLight(MqttMessage message) { ... }
 * }</pre>
 *
 * The method may take one payload parameter: {@link MqttMessage}, {@code byte[]}, {@code String} (the payload as
 * UTF-8) or a class bound from a JSON payload with JSON-B; and {@code String} parameters annotated {@link MqttTopic}
 * (the topic name) or {@link TopicWildcard} (the level a {@code +} matched).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface OnMqttMessage {

    /** The topic filter, with {@code +} and {@code #} wildcards as MQTT defines them. */
    String value();

    /** The maximum QoS (0, 1 or 2) at which the broker delivers matching messages to this method. */
    int qos() default 1;
}
