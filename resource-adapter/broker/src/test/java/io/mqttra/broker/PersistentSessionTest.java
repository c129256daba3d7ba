package io.mqttra.broker;

import static io.mqttra.broker.PubSubTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.mqttra.broker.config.BrokerConfig;
import io.mqttra.broker.store.Stores;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PersistentSessionTest extends BrokerTestSupport {

    @Override
    protected BrokerConfig.Builder config() {
        return super.config().maxQueuedMessages(5);
    }

    @Test
    void qos1MessagesQueuedWhileOffline_deliveredInOrderOnReconnect_MQTT_3_1_2_5() throws Exception {
        Mqtt3BlockingClient c = v3("offline-3");
        c.connectWith().cleanSession(false).send();
        c.subscribeWith().topicFilter("q/#").qos(MqttQos.AT_LEAST_ONCE).send();
        c.disconnect();
        for (int i = 0; i < 3; i++) {
            broker.publish(new ApplicationMessage("q/" + i, bytes("m" + i), 1, false, null))
                    .join();
        }
        broker.publish(new ApplicationMessage("q/zero", bytes("qos0"), 0, false, null))
                .join(); // QoS 0 is not queued
        try (var publishes = c.publishes(MqttGlobalPublishFilter.ALL)) {
            assertThat(c.connectWith().cleanSession(false).send().isSessionPresent())
                    .isTrue();
            for (int i = 0; i < 3; i++) {
                var p = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
                assertThat(p.getTopic().toString()).isEqualTo("q/" + i);
            }
            assertThat(publishes.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
        }
    }

    @Test
    void unacknowledgedPublish_resentWithDupOnReconnect_MQTT_4_4_0_1() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect311("dup-client", false, 60));
            assertThat(r.readPacket()).containsExactly(0x20, 2, 0, 0);
            r.send(RawClient.subscribe(1, "dup/t", 1));
            r.readPacket(); // SUBACK
            broker.publish(new ApplicationMessage("dup/t", bytes("x"), 1, false, null))
                    .join();
            byte[] first = r.readPacket();
            assertThat(first[0] & 0xFF).isEqualTo(0x32); // QoS 1, DUP 0
        } // closed without PUBACK
        try (RawClient r = raw()) {
            r.send(RawClient.connect311("dup-client", false, 60));
            assertThat(r.readPacket()).containsExactly(0x20, 2, 1, 0); // session present
            byte[] again = r.readPacket();
            assertThat(again[0] & 0xFF).isEqualTo(0x3A); // QoS 1, DUP 1 [MQTT-3.3.1-1]
            int topicLen = ((again[2] & 0xFF) << 8) | (again[3] & 0xFF);
            int packetId = ((again[4 + topicLen] & 0xFF) << 8) | (again[5 + topicLen] & 0xFF);
            r.send(0x40, 2, packetId >> 8, packetId & 0xFF); // PUBACK
            assertThat(r.silentFor(500)).isTrue(); // nothing else arrives, connection stays
        }
    }

    @Test
    void qos2InBothStates_resentOnReconnect_pubrelForTheReceivedOne_dupPublishForTheOther_MQTT_4_4_0_1()
            throws Exception {
        int received;
        int unanswered;
        try (RawClient r = raw()) {
            r.send(RawClient.connect311("qos2-resume", false, 60));
            assertThat(r.readPacket()).containsExactly(0x20, 2, 0, 0);
            r.send(RawClient.subscribe(1, "r2/#", 2));
            r.readPacket(); // SUBACK
            broker.publish(new ApplicationMessage("r2/a", bytes("a"), 2, false, null))
                    .join();
            broker.publish(new ApplicationMessage("r2/b", bytes("b"), 2, false, null))
                    .join();
            received = publishPacketId(r.readPacket());
            unanswered = publishPacketId(r.readPacket());
            r.send(0x50, 2, received >> 8, received & 0xFF); // PUBREC for the first only
            assertThat(r.readPacket()).containsExactly(0x62, 2, received >> 8, received & 0xFF); // PUBREL
            r.send(0xE0, 0); // DISCONNECT before PUBCOMP
        }
        try (RawClient r = raw()) {
            r.send(RawClient.connect311("qos2-resume", false, 60));
            assertThat(r.readPacket()).containsExactly(0x20, 2, 1, 0);
            // in the order they were first sent [MQTT-4.6.0-1]: the PUBREL of the first, the second PUBLISH again
            assertThat(r.readPacket()).containsExactly(0x62, 2, received >> 8, received & 0xFF);
            byte[] again = r.readPacket();
            assertThat(again[0] & 0xFF).isEqualTo(0x3C); // QoS 2, DUP 1 [MQTT-3.3.1-1]
            assertThat(publishPacketId(again)).isEqualTo(unanswered);
            r.send(0x70, 2, received >> 8, received & 0xFF); // PUBCOMP
            r.send(0x50, 2, unanswered >> 8, unanswered & 0xFF); // PUBREC
            assertThat(r.readPacket()).containsExactly(0x62, 2, unanswered >> 8, unanswered & 0xFF);
            r.send(0x70, 2, unanswered >> 8, unanswered & 0xFF); // PUBCOMP
            assertThat(r.silentFor(500)).isTrue();
        }
    }

    @Test
    void resendOnReconnect_staysWithinTheNewConnectionsReceiveMaximum_MQTT_3_3_4_9() throws Exception {
        byte[] expiry = RawClient.fourByteProperty(0x11, 300);
        try (RawClient r = raw()) {
            r.send(RawClient.connect5("rm-resume", true, 60, expiry));
            assertThat(r.readPacket()[0]).isEqualTo((byte) 0x20);
            r.send(RawClient.subscribe5(1, "rm/t", 1));
            r.readPacket(); // SUBACK
            for (int i = 0; i < 5; i++) {
                broker.publish(new ApplicationMessage("rm/t", bytes("m" + i), 1, false, null))
                        .join();
            }
            for (int i = 0; i < 5; i++) {
                assertThat(r.readPacket()[0] & 0xFF).isEqualTo(0x32);
            }
        } // gone without a single PUBACK
        byte[] receiveMaximum2 = java.util.Arrays.copyOf(expiry, expiry.length + 3);
        System.arraycopy(RawClient.twoByteProperty(0x21, 2), 0, receiveMaximum2, expiry.length, 3);
        try (RawClient r = raw()) {
            r.send(RawClient.connect5("rm-resume", false, 60, receiveMaximum2));
            assertThat(r.readPacket()[2]).as("session present").isEqualTo((byte) 1);
            java.util.List<String> payloads = new java.util.ArrayList<>();
            java.util.ArrayDeque<Integer> unacknowledged = new java.util.ArrayDeque<>();
            for (int i = 0; i < 2; i++) {
                byte[] p = r.readPacket();
                assertThat(p[0] & 0xFF).isEqualTo(0x3A); // QoS 1, DUP
                unacknowledged.add(publishPacketId(p));
                payloads.add(v5PublishPayload(p));
            }
            assertThat(r.silentFor(300))
                    .as("no third PUBLISH while two are unacknowledged")
                    .isTrue();
            while (payloads.size() < 5) {
                int id = unacknowledged.poll();
                r.send(0x40, 2, id >> 8, id & 0xFF); // PUBACK: room for one more
                byte[] p = r.readPacket();
                assertThat(p[0] & 0xFF).isEqualTo(0x3A); // still a resend of the earlier connection's
                unacknowledged.add(publishPacketId(p));
                payloads.add(v5PublishPayload(p));
                assertThat(r.silentFor(100)).isTrue();
            }
            assertThat(payloads).containsExactly("m0", "m1", "m2", "m3", "m4");
        }
    }

    /** The payload of a QoS 1/2 MQTT 5 PUBLISH without properties and with a one-byte Remaining Length. */
    private static String v5PublishPayload(byte[] publish) {
        int topicLength = ((publish[2] & 0xFF) << 8) | (publish[3] & 0xFF);
        int start = 4 + topicLength + 2 + 1;
        return new String(publish, start, publish.length - start, StandardCharsets.UTF_8);
    }

    /** The packet id of a QoS 1/2 PUBLISH with a one-byte Remaining Length. */
    private static int publishPacketId(byte[] publish) {
        int topicLength = ((publish[2] & 0xFF) << 8) | (publish[3] & 0xFF);
        return ((publish[4 + topicLength] & 0xFF) << 8) | (publish[5 + topicLength] & 0xFF);
    }

    @Test
    void offlineQueueing311_qos1And2FromANetworkPublisher_deliveredOnReconnect_MQTT_3_1_2_5() throws Exception {
        Mqtt3BlockingClient a = v3("queue-311-a");
        a.connectWith().cleanSession(false).send();
        a.subscribeWith().topicFilter("+/+").qos(MqttQos.EXACTLY_ONCE).send();
        a.disconnect();
        Mqtt3BlockingClient b = v3("queue-311-b");
        b.connect();
        b.publishWith()
                .topic("TopicA/B")
                .qos(MqttQos.AT_MOST_ONCE)
                .payload(bytes("qos 0"))
                .send();
        b.publishWith()
                .topic("Topic/C")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(bytes("qos 1"))
                .send();
        b.publishWith()
                .topic("TopicA/C")
                .qos(MqttQos.EXACTLY_ONCE)
                .payload(bytes("qos 2"))
                .send();
        b.disconnect();
        try (var publishes = a.publishes(MqttGlobalPublishFilter.ALL)) {
            assertThat(a.connectWith().cleanSession(false).send().isSessionPresent())
                    .isTrue();
            java.util.List<String> got = new java.util.ArrayList<>();
            java.util.Optional<com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish> p;
            while ((p = publishes.receive(1, TimeUnit.SECONDS)).isPresent()) {
                got.add(p.get().getTopic() + " " + p.get().getQos().getCode());
            }
            // QoS 0 may be left out while offline; QoS 1 and 2 are kept, at their QoS
            assertThat(got).containsSubsequence("Topic/C 1", "TopicA/C 2");
            assertThat(got).hasSizeBetween(2, 3);
        }
    }

    @Test
    void takeoverOfASessionThatLastsOnlyAsLongAsItsConnection_startsAFreshOne_MQTT_3_1_2_6() throws Exception {
        for (boolean v5 : new boolean[] {false, true}) {
            String id = v5 ? "ephemeral-5" : "ephemeral-311";
            RawClient first = raw();
            first.send(v5 ? RawClient.connect5(id, true, 60, new byte[0]) : RawClient.connect311(id, true, 60));
            assertThat(first.readPacket()[0]).isEqualTo((byte) 0x20);
            first.send(v5 ? RawClient.subscribe5(1, "eph/" + id, 1) : RawClient.subscribe(1, "eph/" + id, 1));
            assertThat(first.readPacket()[0]).isEqualTo((byte) 0x90);
            // Clean Session 0 / Clean Start 0, but the session it would resume ends with the connection it takes over
            RawClient second = raw();
            second.send(v5 ? RawClient.connect5(id, false, 60, new byte[0]) : RawClient.connect311(id, false, 60));
            byte[] connAck = second.readPacket();
            assertThat(connAck[2]).as("session present").isZero();
            assertThat(first.closedByBroker()).isTrue();
            broker.publish(new ApplicationMessage("eph/" + id, bytes("x"), 1, false, null))
                    .join();
            assertThat(second.silentFor(500))
                    .as("the old session's subscription is gone")
                    .isTrue();
        }
    }

    @Test
    void reconnectRightAfterDisconnect_ofASessionWithExpiryZero_findsNoSession_MQTT_3_1_2_6() throws Exception {
        for (int i = 0; i < 200; i++) {
            RawClient first = raw();
            first.send(RawClient.connect5("quick", true, 60, new byte[0]));
            assertThat(first.readPacket()[0]).isEqualTo((byte) 0x20);
            first.send(RawClient.subscribe5(1, "quick/t", 1));
            assertThat(first.readPacket()[0]).isEqualTo((byte) 0x90);
            first.send(RawClient.disconnect5(0, new byte[0]));
            first.close();
            try (RawClient second = raw()) {
                second.send(RawClient.connect5("quick", false, 60, new byte[0]));
                assertThat(second.readPacket()[2])
                        .as("session present, attempt " + i)
                        .isZero();
                second.send(RawClient.disconnect5(0, new byte[0]));
            }
        }
    }

    @Test
    void cleanSession_discardsPreviousSession_MQTT_3_1_2_6() throws Exception {
        Mqtt3BlockingClient c = v3("clean-after");
        c.connectWith().cleanSession(false).send();
        c.subscribeWith().topicFilter("clean/#").qos(MqttQos.AT_LEAST_ONCE).send();
        c.disconnect();
        broker.publish(new ApplicationMessage("clean/1", bytes("x"), 1, false, null))
                .join();
        Mqtt3BlockingClient fresh = v3("clean-after"); // a new client object: the old one expects its session back
        try (var publishes = fresh.publishes(MqttGlobalPublishFilter.ALL)) {
            assertThat(fresh.connectWith().cleanSession(true).send().isSessionPresent())
                    .isFalse();
            assertThat(publishes.receive(500, TimeUnit.MILLISECONDS)).isEmpty();
        }
        assertThat(broker.metrics().subscriptions()).isZero();
    }

    @Test
    void sessionExpiryInterval_endsSessionAfterExpiry_MQTT_3_1_2_23() throws Exception {
        Mqtt5BlockingClient c = v5("expiring");
        c.connectWith().cleanStart(true).sessionExpiryInterval(1).send();
        c.subscribeWith().topicFilter("exp").send();
        c.disconnect();
        assertThat(c.connectWith()
                        .cleanStart(false)
                        .sessionExpiryInterval(1)
                        .send()
                        .isSessionPresent())
                .isTrue();
        c.disconnect();
        Thread.sleep(2500);
        assertThat(c.connectWith().cleanStart(false).send().isSessionPresent()).isFalse();
    }

    @Test
    void disconnectMayLengthenTheSessionExpiry_andEndTheSessionWithZero_MQTT_3_1_2_23() throws Exception {
        Mqtt5BlockingClient c = v5("expiry-on-disconnect");
        c.connectWith().cleanStart(true).sessionExpiryInterval(1).send();
        c.subscribeWith().topicFilter("eod").send();
        c.disconnectWith().sessionExpiryInterval(5).send(); // MQTT 5.0 section 3.14.2.2.2
        Thread.sleep(2000); // past the second the CONNECT asked for
        assertThat(c.connectWith()
                        .cleanStart(false)
                        .sessionExpiryInterval(60)
                        .send()
                        .isSessionPresent())
                .isTrue();
        c.disconnectWith().sessionExpiryInterval(0).send();
        assertThat(c.connectWith().cleanStart(false).send().isSessionPresent()).isFalse();
    }

    @Test
    void disconnectSettingAnExpiryAfterConnectSetZero_isAProtocolError0x82_MQTT_3_14_2_2() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect5("expiry-0", true, 60, new byte[0]));
            assertThat(r.readPacket()[0]).isEqualTo((byte) 0x20);
            r.send(RawClient.disconnect5(0, RawClient.fourByteProperty(0x11, 5)));
            byte[] disconnect = r.readPacket();
            assertThat(disconnect[0] & 0xFF).isEqualTo(0xE0);
            assertThat(disconnect[2] & 0xFF).isEqualTo(0x82);
            assertThat(r.closedByBroker()).isTrue();
        }
        Mqtt5BlockingClient again = v5("expiry-0");
        assertThat(again.connectWith().cleanStart(false).send().isSessionPresent())
                .isFalse(); // it ended at 0
    }

    @Test
    void fullQueue_dropsNewestMessages_andCountsThem() throws Exception {
        Mqtt5BlockingClient c = v5("bounded");
        c.connectWith()
                .cleanStart(true)
                .sessionExpiryInterval(60)
                .restrictions()
                .receiveMaximum(1)
                .applyRestrictions()
                .send();
        c.subscribeWith().topicFilter("bounded").qos(MqttQos.AT_LEAST_ONCE).send();
        c.disconnect();
        long droppedBefore = broker.metrics().messagesDropped();
        for (int i = 0; i < 10; i++) {
            broker.publish(new ApplicationMessage("bounded", bytes(Integer.toString(i)), 1, false, null))
                    .join();
        }
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(5))
                .until(() -> broker.metrics().messagesDropped() - droppedBefore == 5);
        try (var publishes = c.publishes(MqttGlobalPublishFilter.ALL)) {
            c.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
            for (int i = 0; i < 5; i++) {
                Mqtt5Publish p = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
                assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8))
                        .isEqualTo(Integer.toString(i));
            }
            assertThat(publishes.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
        }
    }

    @Test
    void expiredMessage_isNotDeliveredToReconnectingSession_MQTT_3_3_2_5() throws Exception {
        Mqtt5BlockingClient c = v5("msg-expiry");
        c.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
        c.subscribeWith().topicFilter("me/#").qos(MqttQos.AT_LEAST_ONCE).send();
        c.disconnect();
        var shortLived = io.mqttra.api.PublishProperties.builder()
                .messageExpiryInterval(1)
                .build();
        var longLived = io.mqttra.api.PublishProperties.builder()
                .messageExpiryInterval(100)
                .build();
        broker.publish(new ApplicationMessage("me/short", bytes("x"), 1, false, shortLived))
                .join();
        broker.publish(new ApplicationMessage("me/long", bytes("y"), 1, false, longLived))
                .join();
        Thread.sleep(2200);
        try (var publishes = c.publishes(MqttGlobalPublishFilter.ALL)) {
            c.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
            Mqtt5Publish p = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(p.getTopic().toString()).isEqualTo("me/long");
            // [MQTT-3.3.2-6] the interval is decremented by the time the message waited
            assertThat(p.getMessageExpiryInterval().getAsLong()).isBetween(90L, 98L);
            assertThat(publishes.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
        }
    }

    @Test
    void sessionsAndQueuedMessages_surviveBrokerRestart_withTheSameStores() throws Exception {
        Stores stores = Stores.inMemory();
        MqttBroker first = new MqttBroker(config().build(), null, stores);
        first.start();
        Mqtt3BlockingClient c = com.hivemq.client.mqtt.MqttClient.builder()
                .useMqttVersion3()
                .identifier("survivor")
                .serverHost("127.0.0.1")
                .serverPort(first.port())
                .buildBlocking();
        c.connectWith().cleanSession(false).send();
        c.subscribeWith().topicFilter("keep/#").qos(MqttQos.EXACTLY_ONCE).send();
        c.disconnect();
        first.publish(new ApplicationMessage("keep/1", bytes("one"), 2, false, null))
                .join();
        first.publish(new ApplicationMessage("keep/r", bytes("retained"), 1, true, null))
                .join();
        first.stop();

        MqttBroker second = new MqttBroker(config().build(), null, stores);
        second.start();
        try {
            Mqtt3BlockingClient again = com.hivemq.client.mqtt.MqttClient.builder()
                    .useMqttVersion3()
                    .identifier("survivor")
                    .serverHost("127.0.0.1")
                    .serverPort(second.port())
                    .buildBlocking();
            try (var publishes = again.publishes(MqttGlobalPublishFilter.ALL)) {
                assertThat(again.connectWith().cleanSession(false).send().isSessionPresent())
                        .isTrue();
                var got1 = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
                var got2 = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
                assertThat(java.util.List.of(
                                got1.getTopic().toString(), got2.getTopic().toString()))
                        .containsExactly("keep/1", "keep/r");
                again.disconnect();
            }
            // the retained message was restored too
            Mqtt3BlockingClient late = com.hivemq.client.mqtt.MqttClient.builder()
                    .useMqttVersion3()
                    .identifier("late")
                    .serverHost("127.0.0.1")
                    .serverPort(second.port())
                    .buildBlocking();
            try (var publishes = late.publishes(MqttGlobalPublishFilter.ALL)) {
                late.connect();
                late.subscribeWith().topicFilter("keep/r").send();
                assertThat(publishes.receive(5, TimeUnit.SECONDS).orElseThrow().isRetain())
                        .isTrue();
                late.disconnect();
            }
        } finally {
            second.stop();
        }
    }

    /**
     * A client still connected when the broker goes away did not DISCONNECT, so its will is due [MQTT-3.1.2-8]: it
     * is published once on restart (to subscriptions of every restored session, whatever their order), and not
     * again on a second restart before the client returns.
     */
    @Test
    void willOfAClientConnectedAtStop_publishedOnceOnRestart_notAgainOnTheNext() throws Exception {
        Stores stores = Stores.inMemory();
        MqttBroker first = new MqttBroker(config().build(), null, stores);
        first.start();
        java.util.List<String> watchers = java.util.List.of("watcher-a", "watcher-z");
        for (String id : watchers) {
            Mqtt5BlockingClient w = com.hivemq.client.mqtt.MqttClient.builder()
                    .useMqttVersion5()
                    .identifier(id)
                    .serverHost("127.0.0.1")
                    .serverPort(first.port())
                    .buildBlocking();
            w.connectWith().cleanStart(true).sessionExpiryInterval(600).send();
            w.subscribeWith().topicFilter("wills/#").qos(MqttQos.AT_LEAST_ONCE).send();
            w.disconnect();
        }
        Mqtt5BlockingClient device = com.hivemq.client.mqtt.MqttClient.builder()
                .useMqttVersion5()
                .identifier("device-m")
                .serverHost("127.0.0.1")
                .serverPort(first.port())
                .buildBlocking();
        device.connectWith()
                .cleanStart(true)
                .sessionExpiryInterval(600)
                .willPublish()
                .topic("wills/device-m")
                .payload(bytes("gone"))
                .qos(MqttQos.AT_LEAST_ONCE)
                .applyWillPublish()
                .send();
        first.stop(); // the device is still connected

        MqttBroker second = new MqttBroker(config().build(), null, stores);
        second.start();
        second.stop();
        MqttBroker third = new MqttBroker(config().build(), null, stores);
        third.start();
        try {
            for (String id : watchers) {
                Mqtt5BlockingClient w = com.hivemq.client.mqtt.MqttClient.builder()
                        .useMqttVersion5()
                        .identifier(id)
                        .serverHost("127.0.0.1")
                        .serverPort(third.port())
                        .buildBlocking();
                try (var publishes = w.publishes(MqttGlobalPublishFilter.ALL)) {
                    assertThat(w.connectWith()
                                    .cleanStart(false)
                                    .sessionExpiryInterval(600)
                                    .send()
                                    .isSessionPresent())
                            .isTrue();
                    Mqtt5Publish will = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
                    assertThat(will.getTopic().toString()).isEqualTo("wills/device-m");
                    assertThat(publishes.receive(500, TimeUnit.MILLISECONDS))
                            .as("second copy of the will for " + id)
                            .isEmpty();
                    w.disconnect();
                }
            }
        } finally {
            third.stop();
        }
    }

    @Test
    void messageStoredOnce_forManyPersistentSessions() throws Exception {
        Stores stores = Stores.inMemory();
        MqttBroker b = new MqttBroker(config().build(), null, stores);
        b.start();
        try {
            for (int i = 0; i < 3; i++) {
                Mqtt5BlockingClient c = com.hivemq.client.mqtt.MqttClient.builder()
                        .useMqttVersion5()
                        .identifier("many-" + i)
                        .serverHost("127.0.0.1")
                        .serverPort(b.port())
                        .buildBlocking();
                c.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
                c.subscribeWith().topicFilter("fan").qos(MqttQos.AT_LEAST_ONCE).send();
                c.disconnect();
            }
            b.publish(new ApplicationMessage("fan", bytes("x"), 1, false, null)).join();
            var messages = (io.mqttra.broker.store.InMemoryMessageStore) stores.messages();
            assertThat(messages.storedMessageCount()).isEqualTo(1);
            assertThat(messages.loadQueue("many-0")).hasSize(1);
            assertThat(messages.loadQueue("many-2")).hasSize(1);
        } finally {
            b.stop();
        }
    }

    @Test
    void qos2ReceiptSurvivesRestart_resendIsNotDeliveredTwice_MQTT_4_3_3_9() throws Exception {
        Stores stores = Stores.inMemory();
        MqttBroker first = new MqttBroker(config().build(), null, stores);
        first.start();
        Mqtt5BlockingClient sub = com.hivemq.client.mqtt.MqttClient.builder()
                .useMqttVersion5()
                .identifier("eo-sub")
                .serverHost("127.0.0.1")
                .serverPort(first.port())
                .buildBlocking();
        sub.connectWith().cleanStart(true).sessionExpiryInterval(600).send();
        sub.subscribeWith().topicFilter("eo").qos(MqttQos.EXACTLY_ONCE).send();
        sub.disconnect();
        try (RawClient r = new RawClient("127.0.0.1", first.port())) {
            r.send(RawClient.connect311("eo-pub", false, 60));
            r.readPacket();
            r.send(RawClient.publish(2, false, "eo", 7, bytes("once")));
            assertThat(r.readPacket()).containsExactly(0x50, 2, 0, 7); // PUBREC: message and receipt durable
        }
        first.stop(); // "crash" before PUBREL

        MqttBroker second = new MqttBroker(config().build(), null, stores);
        second.start();
        try {
            try (RawClient r = new RawClient("127.0.0.1", second.port())) {
                r.send(RawClient.connect311("eo-pub", false, 60));
                assertThat(r.readPacket()).containsExactly(0x20, 2, 1, 0);
                r.send(RawClient.publish(2, true, "eo", 7, bytes("once"))); // the client resends
                assertThat(r.readPacket()).containsExactly(0x50, 2, 0, 7);
                r.send(RawClient.pubrel(7));
                assertThat(r.readPacket()).containsExactly(0x70, 2, 0, 7);
            }
            Mqtt5BlockingClient again = com.hivemq.client.mqtt.MqttClient.builder()
                    .useMqttVersion5()
                    .identifier("eo-sub")
                    .serverHost("127.0.0.1")
                    .serverPort(second.port())
                    .buildBlocking();
            try (var publishes = again.publishes(MqttGlobalPublishFilter.ALL)) {
                again.connectWith().cleanStart(false).sessionExpiryInterval(600).send();
                assertThat(publishes.receive(5, TimeUnit.SECONDS)).isPresent();
                assertThat(publishes.receive(500, TimeUnit.MILLISECONDS)).isEmpty();
                again.disconnect();
            }
        } finally {
            second.stop();
        }
    }
}
