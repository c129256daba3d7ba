package io.mqttra.broker;

import static io.mqttra.broker.PubSubTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RetainedAndWillTest extends BrokerTestSupport {

    @Test
    void retainedMessage_sentOnSubscribe_withRetainFlag_MQTT_3_3_1_6() throws Exception {
        Mqtt5BlockingClient pub = v5("ret-pub");
        pub.connect();
        pub.publishWith()
                .topic("status/door")
                .qos(MqttQos.AT_LEAST_ONCE)
                .retain(true)
                .payload(bytes("open"))
                .send();
        Mqtt5BlockingClient sub = v5("ret-sub");
        sub.connect();
        try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith()
                    .topicFilter("status/+")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send();
            Mqtt5Publish p = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(p.isRetain()).isTrue();
            assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("open");
        }
    }

    @Test
    void liveMessage_toExistingSubscription_hasRetainCleared_MQTT_3_3_1_9() throws Exception {
        Mqtt3BlockingClient sub = v3("live-sub");
        sub.connect();
        try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("live").send();
            broker.publish(new ApplicationMessage("live", bytes("x"), 0, true, null))
                    .join();
            assertThat(publishes.receive(5, TimeUnit.SECONDS).orElseThrow().isRetain())
                    .isFalse();
        }
    }

    @Test
    void emptyRetainedPayload_deletesRetainedMessage_MQTT_3_3_1_10() throws Exception {
        Mqtt5BlockingClient pub = v5("del-pub");
        pub.connect();
        pub.publishWith().topic("gone").retain(true).payload(bytes("x")).send();
        pub.publishWith().topic("gone").retain(true).payload(new byte[0]).send();
        Mqtt5BlockingClient sub = v5("del-sub");
        sub.connect();
        try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("gone").send();
            assertThat(publishes.receive(500, TimeUnit.MILLISECONDS)).isEmpty();
        }
    }

    @Test
    void qos0RetainedMessage_replacesPrevious_MQTT_3_3_1_7() throws Exception {
        broker.publish(new ApplicationMessage("r", bytes("one"), 1, true, null)).join();
        broker.publish(new ApplicationMessage("r", bytes("two"), 0, true, null)).join();
        Mqtt5BlockingClient sub = v5("replace-sub");
        sub.connect();
        try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("r").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5Publish p = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("two");
            assertThat(p.getQos()).isEqualTo(MqttQos.AT_MOST_ONCE);
            assertThat(publishes.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
        }
    }

    @Test
    void retainedDollarTopic_notSentForLeadingWildcards_onlyForAFilterStartingWithIt_MQTT_4_7_2_1() throws Exception {
        broker.publish(new ApplicationMessage("$app/state", bytes("hidden"), 1, true, null))
                .join();
        broker.publish(new ApplicationMessage("app/state", bytes("plain"), 1, true, null))
                .join();
        Mqtt5BlockingClient sub = v5("dollar-retained");
        sub.connect();
        try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("#").send();
            sub.subscribeWith().topicFilter("+/state").send();
            java.util.List<String> got = new java.util.ArrayList<>();
            java.util.Optional<Mqtt5Publish> p;
            while ((p = publishes.receive(500, TimeUnit.MILLISECONDS)).isPresent()) {
                got.add(p.get().getTopic().toString());
            }
            assertThat(got).containsExactly("app/state", "app/state"); // once per matching subscription
            sub.subscribeWith().topicFilter("$app/#").send();
            assertThat(publishes
                            .receive(5, TimeUnit.SECONDS)
                            .orElseThrow()
                            .getTopic()
                            .toString())
                    .isEqualTo("$app/state");
        }
    }

    @Test
    void will_publishedWhenConnectionDropsWithoutDisconnect_MQTT_3_1_2_8() throws Exception {
        Mqtt5BlockingClient watcher = v5("will-watch");
        watcher.connect();
        try (var publishes = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
            watcher.subscribeWith()
                    .topicFilter("wills/#")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send();
            try (RawClient r = raw()) {
                // CONNECT 3.1.1 with will flag, will QoS 1, will retain: flags = 0x02 | 0x04 | 0x08 | 0x20
                r.send(connect311WithWill("dying", 0x2E, 60));
                assertThat(r.readPacket()).containsExactly(0x20, 2, 0, 0);
            } // socket closed without DISCONNECT
            Mqtt5Publish p = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(p.getTopic().toString()).isEqualTo("wills/dying");
            assertThat(p.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
        }
        // will retain: a later subscriber gets it as a retained message
        Mqtt5BlockingClient late = v5("will-late");
        late.connect();
        try (var publishes = late.publishes(MqttGlobalPublishFilter.ALL)) {
            late.subscribeWith().topicFilter("wills/dying").send();
            assertThat(publishes.receive(5, TimeUnit.SECONDS).orElseThrow().isRetain())
                    .isTrue();
        }
    }

    @Test
    void will_notPublishedAfterNormalDisconnect_MQTT_3_1_2_10() throws Exception {
        Mqtt5BlockingClient watcher = v5("nowill-watch");
        watcher.connect();
        try (var publishes = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
            watcher.subscribeWith().topicFilter("wills/#").send();
            Mqtt5BlockingClient polite = v5("polite");
            polite.connectWith()
                    .willPublish()
                    .topic("wills/polite")
                    .payload(bytes("bye"))
                    .applyWillPublish()
                    .send();
            polite.disconnect();
            assertThat(publishes.receive(700, TimeUnit.MILLISECONDS)).isEmpty();
        }
    }

    @Test
    void will_notPublishedAfterNormalDisconnect_evenWhenTheClientReconnectsAtOnce_MQTT_3_1_2_10() throws Exception {
        Mqtt5BlockingClient watcher = v5("quick-will-watch");
        watcher.connect();
        try (var publishes = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
            watcher.subscribeWith().topicFilter("wills/#").send();
            for (int i = 0; i < 100; i++) {
                boolean persistent = i % 2 == 0;
                RawClient first = raw();
                first.send(connect311WithWill("quick-will", !persistent));
                assertThat(first.readPacket()[0]).isEqualTo((byte) 0x20);
                first.send(0xE0, 0); // DISCONNECT: the will is discarded
                first.close();
                try (RawClient second = raw()) {
                    second.send(RawClient.connect311("quick-will", !persistent, 60));
                    assertThat(second.readPacket()[0]).isEqualTo((byte) 0x20);
                    second.send(0xE0, 0);
                }
            }
            assertThat(publishes.receive(500, TimeUnit.MILLISECONDS)).isEmpty();
        }
    }

    @Test
    void will_publishedWhenALiveConnectionIsTakenOver_MQTT_3_1_2_8() throws Exception {
        Mqtt5BlockingClient watcher = v5("takeover-will-watch");
        watcher.connect();
        try (var publishes = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
            watcher.subscribeWith().topicFilter("wills/#").send();
            RawClient first = raw();
            first.send(connect311WithWill("taken-with-will", true));
            assertThat(first.readPacket()[0]).isEqualTo((byte) 0x20);
            RawClient second = raw();
            second.send(RawClient.connect311("taken-with-will", true, 60));
            assertThat(second.readPacket()[0]).isEqualTo((byte) 0x20);
            assertThat(first.closedByBroker()).isTrue();
            assertThat(publishes
                            .receive(5, TimeUnit.SECONDS)
                            .orElseThrow()
                            .getTopic()
                            .toString())
                    .isEqualTo("wills/taken-with-will");
            assertThat(publishes.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
        }
    }

    /** A 3.1.1 CONNECT with keep alive 60 s and a QoS 0 will on wills/{clientId}. */
    private static byte[] connect311WithWill(String clientId, boolean cleanSession) {
        return connect311WithWill(clientId, cleanSession ? 0x06 : 0x04, 60);
    }

    /** A 3.1.1 CONNECT with these flags (the will flag among them) and a will on wills/{clientId}. */
    private static byte[] connect311WithWill(String clientId, int flags, int keepAlive) {
        var body = new java.io.ByteArrayOutputStream();
        RawClient.writeString(body, "MQTT");
        body.write(4);
        body.write(flags);
        body.write(keepAlive >> 8);
        body.write(keepAlive & 0xFF);
        RawClient.writeString(body, clientId);
        RawClient.writeString(body, "wills/" + clientId);
        RawClient.writeString(body, "bye");
        return RawClient.packet(0x10, body.toByteArray());
    }

    @Test
    void will_publishedOnKeepAliveTimeout() throws Exception {
        Mqtt5BlockingClient watcher = v5("ka-watch");
        watcher.connect();
        try (var publishes = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
            watcher.subscribeWith().topicFilter("wills/#").send();
            try (RawClient r = raw()) {
                r.send(connect311WithWill("silent", 0x06, 1)); // clean session + will at QoS 0, keep alive 1 s
                r.readPacket();
                assertThat(publishes
                                .receive(5, TimeUnit.SECONDS)
                                .orElseThrow()
                                .getTopic()
                                .toString())
                        .isEqualTo("wills/silent");
            }
        }
    }
}
