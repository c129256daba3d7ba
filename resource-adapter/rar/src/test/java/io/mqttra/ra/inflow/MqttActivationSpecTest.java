package io.mqttra.ra.inflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.resource.spi.InvalidPropertyException;
import org.junit.jupiter.api.Test;

/** The transaction-related activation config: shared group, redelivery limit and delay, dead-letter topic. */
class MqttActivationSpecTest {

    @Test
    void defaultsRedeliverFiveTimesAfterASecondThenDeadLetterPerBean() throws Exception {
        MqttActivationSpec spec = new MqttActivationSpec();
        spec.validate();
        RedeliveryPolicy policy = spec.redeliveryPolicy("mdb:shop#Orders+1");
        assertThat(policy.limit()).isEqualTo(5);
        assertThat(policy.delayMillis()).isEqualTo(1000);
        // Wildcards cannot be in a topic name [MQTT-4.7.1-1]: a derived client id is made safe.
        assertThat(policy.deadLetterTopic()).isEqualTo("$dead-letter/mdb:shop_Orders_1");
        assertThat(policy.allowsAnother(5)).isTrue();
        assertThat(policy.allowsAnother(6)).isFalse();
    }

    @Test
    void anEmptyDeadLetterTopicDropsAndANamedOneIsUsed() throws Exception {
        MqttActivationSpec spec = new MqttActivationSpec();
        spec.setDeadLetterTopic("");
        assertThat(spec.redeliveryPolicy("c").deadLetterTopic()).isNull();
        spec.setDeadLetterTopic("audit/dead");
        spec.validate();
        assertThat(spec.redeliveryPolicy("c").deadLetterTopic()).isEqualTo("audit/dead");
    }

    @Test
    void aSharedGroupPrefixesEveryFilter_MQTT_4_8_2() throws Exception {
        MqttActivationSpec spec = new MqttActivationSpec();
        assertThat(spec.subscriptionFilter("orders/+")).isEqualTo("orders/+");
        spec.setSharedSubscriptionGroup("workers");
        spec.validate();
        assertThat(spec.subscriptionFilter("orders/+")).isEqualTo("$share/workers/orders/+");
    }

    @Test
    void invalidValuesFailTheDeploymentWithTheirName() {
        MqttActivationSpec badGroup = new MqttActivationSpec();
        badGroup.setSharedSubscriptionGroup("a/b"); // [MQTT-4.8.2-2] no "/", "+" or "#" in a ShareName
        assertThatThrownBy(badGroup::validate)
                .isInstanceOf(InvalidPropertyException.class)
                .hasMessageContaining("sharedSubscriptionGroup");
        MqttActivationSpec badLimit = new MqttActivationSpec();
        badLimit.setRedeliveryLimit(-1);
        assertThatThrownBy(badLimit::validate).hasMessageContaining("redeliveryLimit");
        MqttActivationSpec badTopic = new MqttActivationSpec();
        badTopic.setDeadLetterTopic("dead/#");
        assertThatThrownBy(badTopic::validate).hasMessageContaining("deadLetterTopic");
    }
}
