package io.mqttra.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@code String} parameter of an {@link OnMqttMessage} method that receives the topic level matched by one
 * single-level wildcard ({@code +}) of the method's topic filter.
 *
 * <pre>{@code
 * @OnMqttMessage("house/+/sensor/+")
 * public void onReading(@TopicWildcard(0) String room, @TopicWildcard(1) String sensor, Reading reading) { ... }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface TopicWildcard {

    /** Which {@code +} of the filter, counted from 0 at the left. */
    int value() default 0;
}
