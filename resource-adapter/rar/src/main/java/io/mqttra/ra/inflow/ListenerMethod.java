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
 * @param json                   binds the payload for a {@link Parameter#JSON} parameter, else null
 */
record ListenerMethod(Method method, String topicFilter, int qos, int subscriptionIdentifier, Parameter parameter,
                      JsonPayloads json) {

    /** The parameter types a listener method may take. */
    enum Parameter {
        MESSAGE(MqttMessage.class),
        BYTES(byte[].class),
        TEXT(String.class),
        /** Any other class: a POJO (or collection) bound from a JSON payload with JSON-B. */
        JSON(null);

        private final Class<?> type;

        Parameter(Class<?> type) {
            this.type = type;
        }

        /** How a parameter of this type is passed, or null when it cannot be (primitives, arrays but byte[]). */
        static Parameter of(Class<?> type) {
            for (Parameter p : values()) {
                if (p.type == type) {
                    return p;
                }
            }
            if (type.isPrimitive() || type.isArray()) {
                return null;
            }
            return JSON;
        }
    }

    /** The method's argument for a message; its QoS is capped at the QoS this method subscribed with. */
    Object argument(MqttMessage message) {
        MqttMessage capped = message.qos() <= qos ? message
                : new MqttMessage(message.topic(), message.payload(), qos, message.retain(), message.dup(), message.properties());
        return switch (parameter) {
            case MESSAGE -> capped;
            case BYTES -> capped.payload();
            case TEXT -> capped.payloadAsString();
            case JSON -> json.bind(capped.payload(), method.getGenericParameterTypes()[0]);
        };
    }

    String describe() {
        return method.getDeclaringClass().getSimpleName() + "." + method.getName();
    }
}
