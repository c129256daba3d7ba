package io.mqttra.ra.inflow;

import io.mqttra.api.MqttMessage;
import io.mqttra.api.MqttMessageListener;
import io.mqttra.api.OnMqttMessage;
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

    private ListenerMethods() {
    }

    /**
     * @return the listener methods in a stable order; their subscription identifiers are index + 1
     * @throws NotSupportedException naming every method that cannot be bound, or when there is none
     */
    static List<ListenerMethod> scan(Class<?> beanClass) throws NotSupportedException {
        if (!MqttMessageListener.class.isAssignableFrom(beanClass)) {
            throw new NotSupportedException(beanClass.getName() + " does not implement " + MqttMessageListener.class.getName());
        }
        // getMethods() has no defined order; sorting keeps subscription identifiers stable across deployments.
        Method[] candidates = Arrays.stream(beanClass.getMethods())
                .filter(m -> m.isAnnotationPresent(OnMqttMessage.class))
                .sorted(Comparator.comparing(Method::getName).thenComparing(m -> Arrays.toString(m.getParameterTypes())))
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
            ListenerMethod.Parameter parameter = ListenerMethod.Parameter.of(method.getParameterTypes()[0]);
            if (parameter == ListenerMethod.Parameter.JSON && json == null) {
                json = new JsonPayloads();
            }
            methods.add(new ListenerMethod(method, on.value(), on.qos(), methods.size() + 1, parameter,
                    parameter == ListenerMethod.Parameter.JSON ? json : null));
        }
        if (!problems.isEmpty() && json != null) {
            json.close();
        }
        if (!problems.isEmpty()) {
            throw new NotSupportedException("Cannot bind message-driven bean " + beanClass.getName() + " to MQTT: "
                    + String.join("; ", problems));
        }
        if (methods.isEmpty()) {
            throw new NotSupportedException("Message-driven bean " + beanClass.getName()
                    + " has no public method annotated @OnMqttMessage");
        }
        return List.copyOf(methods);
    }

    private static String problem(Method method, OnMqttMessage on) {
        if (Modifier.isStatic(method.getModifiers())) {
            return "an @OnMqttMessage method must not be static";
        }
        if (method.getParameterCount() != 1 || ListenerMethod.Parameter.of(method.getParameterTypes()[0]) == null) {
            return "an @OnMqttMessage method takes exactly one parameter: " + MqttMessage.class.getSimpleName()
                    + ", byte[], String or a class bound from JSON with JSON-B (not a primitive or other array), not "
                    + Arrays.toString(method.getParameterTypes());
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
}
