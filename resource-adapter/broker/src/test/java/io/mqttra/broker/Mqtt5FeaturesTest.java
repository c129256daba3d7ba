package io.mqttra.broker;

import static io.mqttra.broker.PubSubTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import io.mqttra.broker.config.BrokerConfig;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class Mqtt5FeaturesTest extends BrokerTestSupport {

    @Override
    protected BrokerConfig.Builder config() {
        return super.config()
                .serverKeepAliveSeconds(30)
                .topicAliasMaximum(4)
                .receiveMaximum(2)
                .maxPacketSize(4096);
    }

    @Test
    void applicationPropertiesPassThroughUnchanged_MQTT_3_3_2_15_to_20() throws Exception {
        Mqtt5BlockingClient sub = v5("props-sub");
        sub.connect();
        Mqtt5BlockingClient pub = v5("props-pub");
        pub.connect();
        try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("req").qos(MqttQos.AT_LEAST_ONCE).send();
            pub.publishWith()
                    .topic("req")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(bytes("{}"))
                    .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                    .contentType("application/json")
                    .responseTopic("resp/1")
                    .correlationData(bytes("corr"))
                    .userProperties()
                    .add("a", "1")
                    .add("a", "2")
                    .add("b", "3")
                    .applyUserProperties()
                    .send();
            Mqtt5Publish p = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(p.getPayloadFormatIndicator()).contains(Mqtt5PayloadFormatIndicator.UTF_8);
            assertThat(p.getContentType().orElseThrow().toString()).isEqualTo("application/json");
            assertThat(p.getResponseTopic().orElseThrow().toString()).isEqualTo("resp/1");
            assertThat(p.getCorrelationData().orElseThrow()).isEqualTo(ByteBuffer.wrap(bytes("corr")));
            // order of user properties is kept [MQTT-3.3.2-18]
            assertThat(p.getUserProperties().asList())
                    .extracting(u -> u.getName() + "=" + u.getValue())
                    .containsExactly("a=1", "a=2", "b=3");
        }
    }

    @Test
    void connack_announcesServerKeepAliveAndLimits_MQTT_3_2_2_21() {
        Mqtt5ConnAck ack = v5("limits").connect();
        assertThat(ack.getServerKeepAlive()).hasValue(30);
        assertThat(ack.getRestrictions().getReceiveMaximum()).isEqualTo(2);
        assertThat(ack.getRestrictions().getMaximumPacketSize()).isEqualTo(4096);
        assertThat(ack.getRestrictions().getTopicAliasMaximum()).isEqualTo(4);
        // availability flags: absent means available [MQTT-3.2.2-9 ff.]
        assertThat(ack.getRestrictions().isRetainAvailable()).isTrue();
        assertThat(ack.getRestrictions().isWildcardSubscriptionAvailable()).isTrue();
        assertThat(ack.getRestrictions().isSharedSubscriptionAvailable()).isTrue();
        assertThat(ack.getRestrictions().areSubscriptionIdentifiersAvailable()).isTrue();
    }

    @Test
    void noLocal_ownMessagesNotDelivered_MQTT_3_8_3_3() throws Exception {
        Mqtt5BlockingClient c = v5("nolocal");
        c.connect();
        Mqtt5BlockingClient other = v5("nolocal-other");
        other.connect();
        try (var publishes = c.publishes(MqttGlobalPublishFilter.ALL)) {
            c.subscribeWith().topicFilter("chat").noLocal(true).send();
            c.publishWith().topic("chat").payload(bytes("mine")).send();
            other.publishWith().topic("chat").payload(bytes("theirs")).send();
            Mqtt5Publish p = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("theirs");
            assertThat(publishes.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
        }
    }

    @Test
    void retainAsPublished_keepsRetainFlagOnLiveMessages_MQTT_3_3_1_12() throws Exception {
        Mqtt5BlockingClient c = v5("rap");
        c.connect();
        try (var publishes = c.publishes(MqttGlobalPublishFilter.ALL)) {
            c.subscribeWith().topicFilter("rap/keep").retainAsPublished(true).send();
            c.subscribeWith().topicFilter("rap/clear").send();
            broker.publish(new ApplicationMessage("rap/keep", bytes("k"), 0, true, null))
                    .join();
            assertThat(publishes.receive(5, TimeUnit.SECONDS).orElseThrow().isRetain())
                    .isTrue();
            broker.publish(new ApplicationMessage("rap/clear", bytes("c"), 0, true, null))
                    .join();
            assertThat(publishes.receive(5, TimeUnit.SECONDS).orElseThrow().isRetain())
                    .isFalse();
        }
    }

    @Test
    void retainHandling_1_sendsOnlyForNewSubscription_2_never_MQTT_3_3_1_10_11() throws Exception {
        broker.publish(new ApplicationMessage("rh/x", bytes("r"), 0, true, null))
                .join();
        Mqtt5BlockingClient c = v5("rh");
        c.connect();
        try (var publishes = c.publishes(MqttGlobalPublishFilter.ALL)) {
            c.subscribeWith()
                    .topicFilter("rh/+")
                    .retainHandling(Mqtt5RetainHandling.DO_NOT_SEND)
                    .send();
            assertThat(publishes.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
            c.subscribeWith()
                    .topicFilter("rh/#")
                    .retainHandling(Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST)
                    .send();
            assertThat(publishes.receive(5, TimeUnit.SECONDS)).isPresent();
            c.subscribeWith()
                    .topicFilter("rh/#")
                    .retainHandling(Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST)
                    .send();
            assertThat(publishes.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
        }
    }

    @Test
    void disconnectWithWillMessage_0x04_publishesWill_MQTT_3_14_2_1() throws Exception {
        Mqtt5BlockingClient watcher = v5("w04-watch");
        watcher.connect();
        try (var publishes = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
            watcher.subscribeWith().topicFilter("wills/+").send();
            Mqtt5BlockingClient c = v5("w04");
            c.connectWith()
                    .willPublish()
                    .topic("wills/w04")
                    .payload(bytes("bye"))
                    .applyWillPublish()
                    .send();
            c.disconnectWith()
                    .reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE)
                    .send();
            assertThat(publishes
                            .receive(5, TimeUnit.SECONDS)
                            .orElseThrow()
                            .getTopic()
                            .toString())
                    .isEqualTo("wills/w04");
        }
    }

    @Test
    void willDelay_willSentAfterDelay_notWhenClientReturns_MQTT_3_1_3_9() throws Exception {
        Mqtt5BlockingClient watcher = v5("delay-watch");
        watcher.connect();
        try (var publishes = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
            watcher.subscribeWith().topicFilter("wills/#").send();
            // connection dropped, client does not return: will after ~2 s
            try (RawClient r = raw()) {
                r.send(connect5WithWill("delayed", 60, 2));
                assertThat(r.readPacket()[0] & 0xFF).isEqualTo(0x20);
            }
            assertThat(publishes.receive(1000, TimeUnit.MILLISECONDS)).isEmpty();
            assertThat(publishes
                            .receive(4, TimeUnit.SECONDS)
                            .orElseThrow()
                            .getTopic()
                            .toString())
                    .isEqualTo("wills/delayed");
            // connection dropped, client returns within the delay: no will
            try (RawClient r = raw()) {
                r.send(connect5WithWill("returning", 60, 2));
                r.readPacket();
            }
            Mqtt5BlockingClient back = v5("returning");
            back.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
            assertThat(publishes.receive(3, TimeUnit.SECONDS)).isEmpty();
        }
    }

    @Test
    void sharedSubscription_getsNoRetainedMessagesOnSubscribe_liveOnesStillArrive() throws Exception {
        Mqtt5BlockingClient pub = v5("share-retain-pub");
        pub.connect();
        pub.publishWith()
                .topic("shr/x")
                .retain(true)
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(bytes("old"))
                .send();
        Mqtt5BlockingClient member = v5("share-retain-member");
        member.connect();
        try (var publishes = member.publishes(MqttGlobalPublishFilter.ALL)) {
            // retained messages go to new non-shared subscriptions only (MQTT 5.0 section 3.3.1.3)
            member.subscribeWith()
                    .topicFilter("$share/g/shr/+")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send();
            assertThat(publishes.receive(500, TimeUnit.MILLISECONDS)).isEmpty();
            pub.publishWith()
                    .topic("shr/x")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(bytes("new"))
                    .send();
            Mqtt5Publish p = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("new");
        }
    }

    @Test
    void willDelayLongerThanTheSession_willPublishedWhenTheSessionEnds_MQTT_3_1_3_9() throws Exception {
        Mqtt5BlockingClient watcher = v5("session-end-watch");
        watcher.connect();
        try (var publishes = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
            watcher.subscribeWith().topicFilter("wills/#").send();
            // "the Will Delay Interval has passed or the Session ends, whichever happens first" (section 3.1.3.2.2)
            try (RawClient r = raw()) {
                r.send(connect5WithWill("no-session", 0, 30));
                assertThat(r.readPacket()[0] & 0xFF).isEqualTo(0x20);
            }
            assertThat(publishes
                            .receive(2, TimeUnit.SECONDS)
                            .orElseThrow()
                            .getTopic()
                            .toString())
                    .isEqualTo("wills/no-session");
            try (RawClient r = raw()) {
                r.send(connect5WithWill("short-session", 2, 30));
                assertThat(r.readPacket()[0] & 0xFF).isEqualTo(0x20);
            }
            long start = System.nanoTime();
            assertThat(publishes
                            .receive(6, TimeUnit.SECONDS)
                            .orElseThrow()
                            .getTopic()
                            .toString())
                    .isEqualTo("wills/short-session");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(1500L, 5000L);
        }
    }

    /** CONNECT 5 with a session expiry and a will on wills/{id} with the given will delay (seconds). */
    private static byte[] connect5WithWill(String clientId, int sessionExpiry, int willDelay) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        RawClient.writeString(body, "MQTT");
        body.write(5);
        body.write(0x06); // clean start + will flag
        body.write(0);
        body.write(60);
        byte[] props = RawClient.fourByteProperty(0x11, sessionExpiry);
        RawClient.writeVarInt(body, props.length);
        body.writeBytes(props);
        RawClient.writeString(body, clientId);
        byte[] willProps = RawClient.fourByteProperty(0x18, willDelay);
        RawClient.writeVarInt(body, willProps.length);
        body.writeBytes(willProps);
        RawClient.writeString(body, "wills/" + clientId);
        RawClient.writeString(body, "gone");
        return RawClient.packet(0x10, body.toByteArray());
    }

    @Test
    void topicAlias_clientToServer_MQTT_3_3_2_12() throws Exception {
        Mqtt5BlockingClient sub = v5("alias-sub");
        sub.connect();
        try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("alias/topic").send();
            try (RawClient r = raw()) {
                r.send(RawClient.connect5("aliaser", true, 60, new byte[0]));
                r.readPacket();
                r.send(RawClient.publish5(0, "alias/topic", 0, RawClient.twoByteProperty(0x23, 1), bytes("first")));
                r.send(RawClient.publish5(0, "", 0, RawClient.twoByteProperty(0x23, 1), bytes("second")));
                assertThat(publishes
                                .receive(5, TimeUnit.SECONDS)
                                .orElseThrow()
                                .getTopic()
                                .toString())
                        .isEqualTo("alias/topic");
                Mqtt5Publish second = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
                assertThat(second.getTopic().toString()).isEqualTo("alias/topic");
                assertThat(new String(second.getPayloadAsBytes(), StandardCharsets.UTF_8))
                        .isEqualTo("second");
            }
        }
    }

    @Test
    void topicAliasAboveMaximum_disconnect0x94_MQTT_3_3_2_9() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect5("bad-alias", true, 60, new byte[0]));
            r.readPacket();
            r.send(RawClient.publish5(0, "t", 0, RawClient.twoByteProperty(0x23, 5), bytes("x")));
            byte[] d = r.readPacket();
            assertThat(d[0] & 0xFF).isEqualTo(0xE0);
            assertThat(d[2] & 0xFF).isEqualTo(0x94);
            assertThat(r.closedByBroker()).isTrue();
        }
    }

    @Test
    void packetAboveMaximumPacketSize_disconnect0x95_MQTT_3_2_2_15() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect5("too-big", true, 60, new byte[0]));
            r.readPacket();
            r.send(RawClient.publish5(0, "t", 0, new byte[0], new byte[5000]));
            byte[] d = r.readPacket();
            assertThat(d[0] & 0xFF).isEqualTo(0xE0);
            assertThat(d[2] & 0xFF).isEqualTo(0x95);
            assertThat(r.closedByBroker()).isTrue();
        }
    }

    @Test
    void receiveMaximumExceeded_disconnect0x93_MQTT_3_3_4_9() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect5("flood", true, 60, new byte[0]));
            r.readPacket();
            for (int id = 1; id <= 3; id++) { // QoS 2 without PUBREL: each stays unacknowledged
                r.send(RawClient.publish5(2, "flood", id, new byte[0], bytes("x")));
            }
            assertThat(r.readPacket()[0] & 0xFF).isEqualTo(0x50);
            assertThat(r.readPacket()[0] & 0xFF).isEqualTo(0x50);
            byte[] d = r.readPacket();
            assertThat(d[0] & 0xFF).isEqualTo(0xE0);
            assertThat(d[2] & 0xFF).isEqualTo(0x93);
        }
    }

    @Test
    void messagesAboveClientMaximumPacketSize_areNotSent_MQTT_3_1_2_25() throws Exception {
        Mqtt5BlockingClient small = MqttClient.builder()
                .useMqttVersion5()
                .identifier("small")
                .serverHost("127.0.0.1")
                .serverPort(port)
                .buildBlocking();
        small.connectWith()
                .restrictions()
                .maximumPacketSize(200)
                .applyRestrictions()
                .send();
        try (var publishes = small.publishes(MqttGlobalPublishFilter.ALL)) {
            small.subscribeWith().topicFilter("size/#").send();
            broker.publish(new ApplicationMessage("size/big", new byte[1000], 0, false, null))
                    .join();
            broker.publish(new ApplicationMessage("size/small", new byte[10], 0, false, null))
                    .join();
            assertThat(publishes
                            .receive(5, TimeUnit.SECONDS)
                            .orElseThrow()
                            .getTopic()
                            .toString())
                    .isEqualTo("size/small");
        } finally {
            small.disconnect();
        }
    }

    @Test
    void overlappingSubscriptions_oneMessageWithAllSubscriptionIdentifiers_MQTT_3_3_4_3() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect5("subids", true, 60, new byte[0]));
            r.readPacket();
            r.send(RawClient.subscribe5(1, "ids/+", 1, 11));
            r.readPacket();
            r.send(RawClient.subscribe5(2, "ids/#", 0, 22));
            r.readPacket();
            broker.publish(new ApplicationMessage("ids/x", bytes("p"), 1, false, null))
                    .join();
            byte[] p = r.readPacket();
            assertThat((p[0] & 0x06) >> 1).isEqualTo(1); // the highest granted QoS [MQTT-3.3.4-2]
            String hex = java.util.HexFormat.of().formatHex(p);
            assertThat(hex).contains("0b0b").contains("0b16"); // subscription identifiers 11 and 22
            assertThat(r.silentFor(300)).isTrue(); // and only one PUBLISH
        }
    }

    @Test
    void invalidFilter_subackReasonCode0x8F() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect5("badfilter5", true, 60, new byte[0]));
            r.readPacket();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.write(0);
            body.write(9);
            body.write(0); // no properties
            RawClient.writeString(body, "a+/b");
            body.write(0);
            r.send(RawClient.packet(0x82, body.toByteArray()));
            byte[] ack = r.readPacket();
            assertThat(ack[0] & 0xFF).isEqualTo(0x90);
            assertThat(ack[ack.length - 1] & 0xFF).isEqualTo(0x8F);
        }
    }

    @Test
    void sharedSubscription_eachMessageToOneMember_MQTT_4_8_2() throws Exception {
        Mqtt5BlockingClient a = v5("share-a");
        a.connect();
        Mqtt5BlockingClient b = v5("share-b");
        b.connect();
        try (var pa = a.publishes(MqttGlobalPublishFilter.ALL);
                var pb = b.publishes(MqttGlobalPublishFilter.ALL)) {
            a.subscribeWith()
                    .topicFilter("$share/g/work/+")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send();
            b.subscribeWith()
                    .topicFilter("$share/g/work/+")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send();
            for (int i = 0; i < 20; i++) {
                broker.publish(new ApplicationMessage("work/" + i, bytes("j"), 1, false, null))
                        .join();
            }
            int na = 0;
            int nb = 0;
            while (pa.receive(300, TimeUnit.MILLISECONDS).isPresent()) {
                na++;
            }
            while (pb.receive(300, TimeUnit.MILLISECONDS).isPresent()) {
                nb++;
            }
            assertThat(na + nb).isEqualTo(20);
            assertThat(na).isPositive();
            assertThat(nb).isPositive();
        }
    }
}
