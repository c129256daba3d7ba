package io.mqttra.ra.inflow;

import io.mqttra.api.MqttMessage;
import io.mqttra.api.MqttMessageListener;
import io.mqttra.api.MqttTopic;
import io.mqttra.api.OnMqttMessage;
import io.mqttra.api.TopicWildcard;
import io.mqttra.ra.Topics;
import jakarta.resource.NotSupportedException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Finds and checks the {@code @OnMqttMessage} methods of a message-driven bean class, once per activation, so that
 * delivery does no reflection lookups and a wrong method fails the deployment with a message naming it.
 */
final class ListenerMethods {

    private ListenerMethods() {}

    /**
     * @return the listener methods in a stable order; their subscription identifiers are index + 1
     * @throws NotSupportedException naming every method that cannot be bound, or when there is none
     */
    static List<ListenerMethod> scan(Class<?> beanClass) throws NotSupportedException {
        if (!MqttMessageListener.class.isAssignableFrom(beanClass)) {
            throw new NotSupportedException(
                    beanClass.getName() + " does not implement " + MqttMessageListener.class.getName());
        }
        // getMethods() has no defined order; sorting keeps subscription identifiers stable across deployments.
        Method[] candidates = Arrays.stream(beanClass.getMethods())
                .filter(m -> m.isAnnotationPresent(OnMqttMessage.class))
                .sorted(Comparator.comparing(Method::getName)
                        .thenComparing(m -> Arrays.toString(m.getParameterTypes())))
                .toArray(Method[]::new);
        List<String> problems = new ArrayList<>();
        List<ListenerMethod> methods = new ArrayList<>();
        JsonPayloads json = null;
        for (Method method : candidates) {
            OnMqttMessage on = method.getAnnotation(OnMqttMessage.class);
            String problem = problem(method, on);
            if (problem != null) {
                problems.add(beanClass.getSimpleName() + "." + method.getName() + ": " + problem);
                continue;
            }
            List<ListenerMethod.Slot> slots = slots(method, on.value());
            int payload = slots.indexOf(ListenerMethod.Slot.PAYLOAD);
            ListenerMethod.Parameter parameter =
                    payload < 0 ? null : ListenerMethod.Parameter.of(method.getParameterTypes()[payload]);
            if (parameter == ListenerMethod.Parameter.JSON && json == null) {
                json = new JsonPayloads();
            }
            methods.add(new ListenerMethod(
                    method,
                    on.value(),
                    on.qos(),
                    methods.size() + 1,
                    parameter,
                    parameter == ListenerMethod.Parameter.JSON ? json : null,
                    slots));
        }
        if (!problems.isEmpty() && json != null) {
            json.close();
        }
        if (!problems.isEmpty()) {
            throw new NotSupportedException("Cannot bind message-driven bean " + beanClass.getName() + " to MQTT: "
                    + String.join("; ", problems));
        }
        if (methods.isEmpty()) {
            throw new NotSupportedException(
                    "Message-driven bean " + beanClass.getName() + " has no public method annotated @OnMqttMessage");
        }
        return List.copyOf(methods);
    }

    private static String problem(Method method, OnMqttMessage on) {
        if (Modifier.isStatic(method.getModifiers())) {
            return "an @OnMqttMessage method must not be static";
        }
        String parameterProblem = parameterProblem(method, on.value());
        if (parameterProblem != null) {
            return parameterProblem;
        }
        if (on.qos() < 0 || on.qos() > 2) {
            return "qos must be 0, 1 or 2, not " + on.qos();
        }
        String filterProblem = Topics.topicFilterProblem(on.value());
        if (filterProblem != null) {
            return "invalid topic filter '" + on.value() + "': " + filterProblem;
        }
        return null;
    }

    /**
     * Checks the parameters: at most one payload parameter ({@link MqttMessage}, byte[], String or a JSON-B class)
     * and any number of String parameters annotated {@link MqttTopic} or {@link TopicWildcard}.
     */
    private static String parameterProblem(Method method, String filter) {
        java.lang.reflect.Parameter[] parameters = method.getParameters();
        int payloads = 0;
        int wildcards = plusLevels(filter).size();
        for (java.lang.reflect.Parameter p : parameters) {
            boolean topic = p.isAnnotationPresent(MqttTopic.class);
            TopicWildcard wildcard = p.getAnnotation(TopicWildcard.class);
            if (topic || wildcard != null) {
                if (p.getType() != String.class) {
                    return "a parameter annotated @MqttTopic or @TopicWildcard must be a String, not "
                            + p.getType().getName();
                }
                if (wildcard != null && (wildcard.value() < 0 || wildcard.value() >= wildcards)) {
                    return "@TopicWildcard(" + wildcard.value() + ") but the filter '" + filter + "' has " + wildcards
                            + " single-level wildcard(s)";
                }
            } else if (++payloads > 1 || ListenerMethod.Parameter.of(p.getType()) == null) {
                return "an @OnMqttMessage method takes at most one payload parameter: "
                        + MqttMessage.class.getSimpleName()
                        + ", byte[], String or a class bound from JSON with JSON-B (not a primitive or other array),"
                        + " plus String parameters annotated @MqttTopic or @TopicWildcard; not "
                        + Arrays.toString(method.getParameterTypes());
            }
        }
        return null;
    }

    private static List<ListenerMethod.Slot> slots(Method method, String filter) {
        List<Integer> plusLevels = plusLevels(filter);
        List<ListenerMethod.Slot> slots = new ArrayList<>();
        for (java.lang.reflect.Parameter p : method.getParameters()) {
            TopicWildcard wildcard = p.getAnnotation(TopicWildcard.class);
            if (p.isAnnotationPresent(MqttTopic.class)) {
                slots.add(ListenerMethod.Slot.TOPIC);
            } else if (wildcard != null) {
                slots.add(ListenerMethod.Slot.level(plusLevels.get(wildcard.value())));
            } else {
                slots.add(ListenerMethod.Slot.PAYLOAD);
            }
        }
        return List.copyOf(slots);
    }

    /** The level indexes of the filter's {@code +} wildcards, left to right. */
    private static List<Integer> plusLevels(String filter) {
        String[] levels = filter.split("/", -1);
        List<Integer> plus = new ArrayList<>();
        for (int i = 0; i < levels.length; i++) {
            if (levels[i].equals("+")) {
                plus.add(i);
            }
        }
        return plus;
    }
}
