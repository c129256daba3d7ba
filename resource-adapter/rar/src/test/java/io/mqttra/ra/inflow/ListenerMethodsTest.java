package io.mqttra.ra.inflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttra.api.MqttMessage;
import io.mqttra.api.MqttMessageListener;
import io.mqttra.api.MqttTopic;
import io.mqttra.api.OnMqttMessage;
import io.mqttra.api.TopicWildcard;
import jakarta.resource.NotSupportedException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListenerMethodsTest {

    public static class Thermostat implements MqttMessageListener {
        @OnMqttMessage(value = "house/+/temperature", qos = 2)
        public void temperature(MqttMessage message) {}

        @OnMqttMessage("house/#")
        public void anything(byte[] payload) {}

        @OnMqttMessage(value = "alerts", qos = 0)
        public void alert(String text) {}

        public void notAListener(String text) {}
    }

    public static class WrongParameters implements MqttMessageListener {
        @OnMqttMessage("a")
        public void two(String a, String b) {}

        @OnMqttMessage("b")
        public void number(int x) {}
    }

    public static class SensorReadings implements MqttMessageListener {
        @OnMqttMessage("house/+/sensor/+")
        public void reading(
                @TopicWildcard(1) String sensor, String payload, @MqttTopic String topic, @TopicWildcard String room) {}
    }

    public static class WrongTopicParameters implements MqttMessageListener {
        @OnMqttMessage("house/+")
        public void beyondTheWildcards(@TopicWildcard(1) String room, String payload) {}

        @OnMqttMessage("house/#")
        public void notAString(@MqttTopic byte[] topic) {}
    }

    public static class BadFilterAndQos implements MqttMessageListener {
        @OnMqttMessage("a/#/b")
        public void badFilter(String text) {}

        @OnMqttMessage(value = "c", qos = 3)
        public void badQos(String text) {}
    }

    public static class NoListenerMethods implements MqttMessageListener {
        public void onMessage(String text) {}
    }

    public static class NotAListener {
        @OnMqttMessage("a")
        public void on(String text) {}
    }

    @Test
    void findsAnnotatedMethodsInStableOrderWithSubscriptionIdentifiers() throws Exception {
        List<ListenerMethod> methods = ListenerMethods.scan(Thermostat.class);
        assertThat(methods).extracting(m -> m.method().getName()).containsExactly("alert", "anything", "temperature");
        assertThat(methods).extracting(ListenerMethod::subscriptionIdentifier).containsExactly(1, 2, 3);
        assertThat(methods)
                .extracting(ListenerMethod::topicFilter)
                .containsExactly("alerts", "house/#", "house/+/temperature");
        assertThat(methods).extracting(ListenerMethod::qos).containsExactly(0, 1, 2);
    }

    @Test
    void argumentMatchesTheParameterTypeAndCapsQosAtTheMethods() throws Exception {
        List<ListenerMethod> methods = ListenerMethods.scan(Thermostat.class);
        MqttMessage message = new MqttMessage(
                "house/kitchen/temperature", "21.5".getBytes(StandardCharsets.UTF_8), 2, false, false, null);
        assertThat(methods.get(0).argument(message)).isEqualTo("21.5");
        assertThat((byte[]) methods.get(1).argument(message)).isEqualTo("21.5".getBytes(StandardCharsets.UTF_8));
        assertThat(((MqttMessage) methods.get(2).argument(message)).qos()).isEqualTo(2);
        MqttMessage asMessage = (MqttMessage)
                new ListenerMethod(methods.get(2).method(), "x", 1, 3, ListenerMethod.Parameter.MESSAGE, null)
                        .argument(message);
        assertThat(asMessage.qos()).isEqualTo(1);
    }

    @Test
    void unsupportedParametersFailTheDeploymentNamingEveryMethod() {
        assertThatThrownBy(() -> ListenerMethods.scan(WrongParameters.class))
                .isInstanceOf(NotSupportedException.class)
                .hasMessageContaining("WrongParameters.two")
                .hasMessageContaining("WrongParameters.number")
                .hasMessageContaining("at most one payload parameter");
    }

    @Test
    void invalidFilterOrQosFailsTheDeployment_MQTT_4_7_1_2() {
        assertThatThrownBy(() -> ListenerMethods.scan(BadFilterAndQos.class))
                .isInstanceOf(NotSupportedException.class)
                .hasMessageContaining("invalid topic filter 'a/#/b'")
                .hasMessageContaining("qos must be 0, 1 or 2, not 3");
    }

    @Test
    void beanWithoutListenerMethodsFailsTheDeployment() {
        assertThatThrownBy(() -> ListenerMethods.scan(NoListenerMethods.class))
                .isInstanceOf(NotSupportedException.class)
                .hasMessageContaining("no public method annotated @OnMqttMessage");
    }

    @Test
    void beanMustImplementTheListenerInterface() {
        assertThatThrownBy(() -> ListenerMethods.scan(NotAListener.class))
                .isInstanceOf(NotSupportedException.class)
                .hasMessageContaining("does not implement");
    }

    @Test
    void topicAndWildcardParametersReceiveTheTopicAndTheMatchedLevels() throws Exception {
        ListenerMethod method = ListenerMethods.scan(SensorReadings.class).get(0);
        MqttMessage message = new MqttMessage(
                "house/kitchen/sensor/humidity", "55".getBytes(StandardCharsets.UTF_8), 1, false, false, null);
        assertThat(method.arguments(message))
                .containsExactly("humidity", "55", "house/kitchen/sensor/humidity", "kitchen");
    }

    @Test
    void topicParametersThatCannotBeFilledFailTheDeploymentNamingTheMethod() {
        assertThatThrownBy(() -> ListenerMethods.scan(WrongTopicParameters.class))
                .isInstanceOf(NotSupportedException.class)
                .hasMessageContaining("beyondTheWildcards: @TopicWildcard(1) but the filter 'house/+' has 1")
                .hasMessageContaining(
                        "notAString: a parameter annotated @MqttTopic or @TopicWildcard must be a String");
    }
}
