package io.mqttra.ra.inflow;

import io.mqttra.api.MqttMessage;
import java.lang.reflect.Method;

/**
 * One {@code @OnMqttMessage} method of a message-driven bean, checked once at activation.
 *
 * @param method                 the public method, invoked on the endpoint proxy
 * @param topicFilter            the filter it subscribes to
 * @param qos                    the maximum QoS it asked for
 * @param subscriptionIdentifier the identifier of its subscription in the bean's session (index + 1)
 * @param parameter              how a message becomes its argument
 */
record ListenerMethod(Method method, String topicFilter, int qos, int subscriptionIdentifier, Parameter parameter) {

    /** The parameter types a listener method may take. */
    enum Parameter {
        MESSAGE(MqttMessage.class),
        BYTES(byte[].class),
        TEXT(String.class);

        private final Class<?> type;

        Parameter(Class<?> type) {
            this.type = type;
        }

        static Parameter of(Class<?> type) {
            for (Parameter p : values()) {
                if (p.type == type) {
                    return p;
                }
            }
            return null;
        }

        Object argument(MqttMessage message) {
            return switch (this) {
                case MESSAGE -> message;
                case BYTES -> message.payload();
                case TEXT -> message.payloadAsString();
            };
        }
    }

    /** The method's argument for a message; its QoS is capped at the QoS this method subscribed with. */
    Object argument(MqttMessage message) {
        MqttMessage capped = message.qos() <= qos ? message
                : new MqttMessage(message.topic(), message.payload(), qos, message.retain(), message.dup(), message.properties());
        return parameter.argument(capped);
    }

    String describe() {
        return method.getDeclaringClass().getSimpleName() + "." + method.getName();
    }
}
