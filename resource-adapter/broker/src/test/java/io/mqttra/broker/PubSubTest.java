package io.mqttra.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PubSubTest extends BrokerTestSupport {

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void mqtt5_publishAndReceive_atEachQos(int qos) throws Exception {
        Mqtt5BlockingClient sub = v5("sub5-" + qos);
        sub.connect();
        Mqtt5BlockingClient pub = v5("pub5-" + qos);
        pub.connect();
        try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith()
                    .topicFilter("house/+/light")
                    .qos(MqttQos.fromCode(qos))
                    .send();
            pub.publishWith()
                    .topic("house/kitchen/light")
                    .qos(MqttQos.fromCode(qos))
                    .payload(bytes("on"))
                    .send();
            Mqtt5Publish p = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(p.getTopic().toString()).isEqualTo("house/kitchen/light");
            assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("on");
            assertThat(p.getQos().getCode()).isEqualTo(qos);
            assertThat(p.isRetain()).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void mqtt311_publishAndReceive_atEachQos_withMultiLevelWildcard(int qos) throws Exception {
        Mqtt3BlockingClient sub = v3("sub3-" + qos);
        sub.connect();
        Mqtt3BlockingClient pub = v3("pub3-" + qos);
        pub.connect();
        try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith()
                    .topicFilter("sensors/#")
                    .qos(MqttQos.fromCode(qos))
                    .send();
            pub.publishWith()
                    .topic("sensors/b1/floor2/temp")
                    .qos(MqttQos.fromCode(qos))
                    .payload(bytes("21.5"))
                    .send();
            Mqtt3Publish p = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(p.getTopic().toString()).isEqualTo("sensors/b1/floor2/temp");
            assertThat(p.getQos().getCode()).isEqualTo(qos);
        }
    }

    @Test
    void multiLevelWildcard_matchesParentLevel_MQTT_4_7_1_2() throws Exception {
        Mqtt5BlockingClient c = v5("parent");
        c.connect();
        try (var publishes = c.publishes(MqttGlobalPublishFilter.ALL)) {
            c.subscribeWith().topicFilter("sport/#").send();
            c.publishWith().topic("sport").payload(bytes("x")).send();
            assertThat(publishes.receive(5, TimeUnit.SECONDS)).isPresent();
        }
    }

    @Test
    void qosIsDowngradedToSubscriptionQos_MQTT_3_8_4_6() throws Exception {
        Mqtt5BlockingClient sub = v5("down-sub");
        sub.connect();
        Mqtt5BlockingClient pub = v5("down-pub");
        pub.connect();
        try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("down").qos(MqttQos.AT_LEAST_ONCE).send();
            pub.publishWith()
                    .topic("down")
                    .qos(MqttQos.EXACTLY_ONCE)
                    .payload(bytes("x"))
                    .send();
            assertThat(publishes.receive(5, TimeUnit.SECONDS).orElseThrow().getQos())
                    .isEqualTo(MqttQos.AT_LEAST_ONCE);
        }
    }

    @Test
    void dollarTopics_notMatchedByLeadingWildcards_MQTT_4_7_2_1() throws Exception {
        Mqtt5BlockingClient sub = v5("dollar-sub");
        sub.connect();
        try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("#").send();
            sub.subscribeWith().topicFilter("+/info").send();
            sub.subscribeWith().topicFilter("$app/+").send();
            broker.publish(new ApplicationMessage("$app/info", bytes("hidden"), 0, false, null))
                    .join();
            Mqtt5Publish p = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(p.getTopic().toString()).isEqualTo("$app/info");
            // matched once, through "$app/+" only
            assertThat(publishes.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
        }
    }

    @Test
    void unsubscribe_stopsDelivery_MQTT_3_10_4_1() throws Exception {
        Mqtt5BlockingClient c = v5("unsub");
        c.connect();
        try (var publishes = c.publishes(MqttGlobalPublishFilter.ALL)) {
            c.subscribeWith().topicFilter("u/+").send();
            c.unsubscribeWith().topicFilter("u/+").send();
            c.publishWith().topic("u/1").payload(bytes("x")).send();
            assertThat(publishes.receive(500, TimeUnit.MILLISECONDS)).isEmpty();
        }
    }

    @Test
    void manyMessages_keepOrderPerTopic_MQTT_4_6_0_5() throws Exception {
        Mqtt5BlockingClient sub = v5("order-sub");
        sub.connect();
        Mqtt5BlockingClient pub = v5("order-pub");
        pub.connect();
        int n = 500;
        try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("order").qos(MqttQos.AT_LEAST_ONCE).send();
            var async = pub.toAsync();
            List<java.util.concurrent.CompletableFuture<?>> sent = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                sent.add(async.publishWith()
                        .topic("order")
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .payload(bytes(Integer.toString(i)))
                        .send());
            }
            for (int i = 0; i < n; i++) {
                Optional<Mqtt5Publish> p = publishes.receive(5, TimeUnit.SECONDS);
                assertThat(p).isPresent();
                assertThat(new String(p.get().getPayloadAsBytes(), StandardCharsets.UTF_8))
                        .isEqualTo(Integer.toString(i));
            }
            sent.forEach(java.util.concurrent.CompletableFuture::join);
        }
    }

    @Test
    void largePayload_fragmentedOnTheWire_isDelivered() throws Exception {
        Mqtt5BlockingClient c = v5("large");
        c.connect();
        byte[] big = new byte[900 * 1024];
        new java.util.Random(1).nextBytes(big);
        try (var publishes = c.publishes(MqttGlobalPublishFilter.ALL)) {
            c.subscribeWith().topicFilter("big").qos(MqttQos.AT_LEAST_ONCE).send();
            c.publishWith().topic("big").qos(MqttQos.AT_LEAST_ONCE).payload(big).send();
            assertThat(publishes.receive(10, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes())
                    .isEqualTo(big);
        }
    }

    @Test
    void pahoV3Publisher_pahoV5Subscriber_qos2() throws Exception {
        var sub = new org.eclipse.paho.mqttv5.client.MqttClient(
                "tcp://127.0.0.1:" + port, "paho5-sub", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        sub.connect();
        java.util.concurrent.BlockingQueue<org.eclipse.paho.mqttv5.common.MqttMessage> got =
                new java.util.concurrent.LinkedBlockingQueue<>();
        sub.subscribe(
                new org.eclipse.paho.mqttv5.common.MqttSubscription[] {
                    new org.eclipse.paho.mqttv5.common.MqttSubscription("paho/#", 2)
                },
                new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {(topic, m) -> got.add(m)});
        var pub = new org.eclipse.paho.client.mqttv3.MqttClient(
                "tcp://127.0.0.1:" + port, "paho3-pub", new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        pub.connect();
        pub.publish("paho/x", bytes("exactly once"), 2, false);
        var m = got.poll(5, TimeUnit.SECONDS);
        assertThat(m).isNotNull();
        assertThat(m.getQos()).isEqualTo(2);
        assertThat(new String(m.getPayload(), StandardCharsets.UTF_8)).isEqualTo("exactly once");
        assertThat(got.poll(300, TimeUnit.MILLISECONDS)).isNull();
        pub.disconnect();
        pub.close();
        sub.disconnect();
        sub.close();
    }

    @Test
    void overlappingSubscriptions311_oneCopyAtTheHighestQos_MQTT_3_3_5_1() throws Exception {
        Mqtt3BlockingClient sub = v3("overlap-311");
        sub.connect();
        Mqtt3BlockingClient pub = v3("overlap-311-pub");
        pub.connect();
        try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith()
                    .addSubscription()
                    .topicFilter("TopicA/#")
                    .qos(MqttQos.EXACTLY_ONCE)
                    .applySubscription()
                    .addSubscription()
                    .topicFilter("TopicA/+")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .applySubscription()
                    .send();
            pub.publishWith()
                    .topic("TopicA/C")
                    .qos(MqttQos.EXACTLY_ONCE)
                    .payload(bytes("overlapping"))
                    .send();
            // one copy is allowed if it has the maximum QoS of the matching subscriptions
            Mqtt3Publish p = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(p.getQos()).isEqualTo(MqttQos.EXACTLY_ONCE);
            assertThat(publishes.receive(500, TimeUnit.MILLISECONDS)).isEmpty();
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
