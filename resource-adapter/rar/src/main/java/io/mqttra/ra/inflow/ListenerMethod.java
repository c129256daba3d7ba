package io.mqttra.ra.inflow;

import io.mqttra.api.MqttMessage;
import java.lang.reflect.Method;
import java.util.List;

/**
 * One {@code @OnMqttMessage} method of a message-driven bean, checked once at activation.
 *
 * @param method                 the public method, invoked on the endpoint proxy
 * @param topicFilter            the filter it subscribes to
 * @param qos                    the maximum QoS it asked for
 * @param subscriptionIdentifier the identifier of its subscription in the bean's session (index + 1)
 * @param parameter              how a message becomes its payload argument (when it has one)
 * @param json                   binds the payload for a {@link Parameter#JSON} parameter, else null
 * @param slots                  what each of its parameters receives, in order
 */
record ListenerMethod(
        Method method,
        String topicFilter,
        int qos,
        int subscriptionIdentifier,
        Parameter parameter,
        JsonPayloads json,
        List<Slot> slots) {

    /** A method whose only parameter is the payload. */
    ListenerMethod(
            Method method,
            String topicFilter,
            int qos,
            int subscriptionIdentifier,
            Parameter parameter,
            JsonPayloads json) {
        this(method, topicFilter, qos, subscriptionIdentifier, parameter, json, List.of(Slot.PAYLOAD));
    }

    /**
     * What one parameter receives: the payload, the topic name, or the topic level at a given position (the level a
     * {@code +} of the filter matched; levels are counted from 0, the filter's level index is resolved at scan time).
     */
    record Slot(Kind kind, int level) {
        static final Slot PAYLOAD = new Slot(Kind.PAYLOAD, -1);
        static final Slot TOPIC = new Slot(Kind.TOPIC, -1);

        enum Kind {
            PAYLOAD,
            TOPIC,
            LEVEL
        }

        static Slot level(int level) {
            return new Slot(Kind.LEVEL, level);
        }
    }

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

    /** The method's arguments for a message, one per {@link #slots() slot}. */
    Object[] arguments(MqttMessage message) {
        Object[] arguments = new Object[slots.size()];
        String[] levels = null;
        for (int i = 0; i < arguments.length; i++) {
            Slot slot = slots.get(i);
            arguments[i] = switch (slot.kind()) {
                case PAYLOAD -> argument(message);
                case TOPIC -> message.topic();
                case LEVEL -> {
                    if (levels == null) {
                        levels = message.topic().split("/", -1);
                    }
                    yield levels[slot.level()];
                }
            };
        }
        return arguments;
    }

    /** The method's payload argument for a message; its QoS is capped at the QoS this method subscribed with. */
    Object argument(MqttMessage message) {
        MqttMessage capped = message.qos() <= qos
                ? message
                : new MqttMessage(
                        message.topic(), message.payload(), qos, message.retain(), message.dup(), message.properties());
        return switch (parameter) {
            case MESSAGE -> capped;
            case BYTES -> capped.payload();
            case TEXT -> capped.payloadAsString();
            case JSON -> json.bind(capped.payload(), method.getGenericParameterTypes()[slots.indexOf(Slot.PAYLOAD)]);
        };
    }

    String describe() {
        return method.getDeclaringClass().getSimpleName() + "." + method.getName();
    }
}
