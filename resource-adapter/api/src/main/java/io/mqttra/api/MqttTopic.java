package io.mqttra.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@code String} parameter of an {@link OnMqttMessage} method that receives the topic name the message was
 * published to.
 *
 * <pre>{@code
 * @OnMqttMessage("house/+/light")
 * public void onLight(@MqttTopic String topic, String payload) { ... }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface MqttTopic {}
