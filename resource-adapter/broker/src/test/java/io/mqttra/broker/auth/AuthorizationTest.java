package io.mqttra.broker.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3SubAckException;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubRecException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubrec.Mqtt5PubRecReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** ACL enforcement on PUBLISH, SUBSCRIBE and delivery, with real 3.1.1 and 5.0 clients. */
class AuthorizationTest extends SecureBrokerSupport {

    /** Subscribes root (allowed everything) to '#' and returns its message stream. */
    private Mqtt5BlockingClient.Mqtt5Publishes watchAll(String clientId) {
        Mqtt5BlockingClient watcher = v5Connected(clientId, "root", "toor");
        Mqtt5BlockingClient.Mqtt5Publishes in = watcher.publishes(MqttGlobalPublishFilter.ALL);
        watcher.subscribeWith().topicFilter("#").qos(MqttQos.AT_LEAST_ONCE).send();
        return in;
    }

    private static List<String> drain(Mqtt5BlockingClient.Mqtt5Publishes in, long millis) throws InterruptedException {
        List<String> topics = new ArrayList<>();
        long end = System.currentTimeMillis() + millis;
        while (true) {
            long left = end - System.currentTimeMillis();
            if (left <= 0) {
                return topics;
            }
            Optional<com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish> p =
                    in.receive(left, TimeUnit.MILLISECONDS);
            p.ifPresent(m -> topics.add(m.getTopic().toString()));
        }
    }

    @Test
    void deniedPublishGetsPubAck0x87InMqtt5AndIsNotRouted() throws Exception {
        start(b -> b, false);
        var in = watchAll("watch5");
        Mqtt5BlockingClient alice = v5Connected("alice-5", "alice", "wonderland");
        Mqtt5PubAckReasonCode code;
        try {
            Mqtt5PublishResult r = alice.publishWith()
                    .topic("home/bob/door")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload("open".getBytes(StandardCharsets.UTF_8))
                    .send();
            code = ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode();
        } catch (Mqtt5PubAckException e) {
            code = e.getMqttMessage().getReasonCode();
        }
        assertThat(code).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);

        Mqtt5PubRecReasonCode recCode;
        try {
            Mqtt5PublishResult r = alice.publishWith()
                    .topic("home/bob/window")
                    .qos(MqttQos.EXACTLY_ONCE)
                    .send();
            recCode = ((Mqtt5PublishResult.Mqtt5Qos2Result) r).getPubRec().getReasonCode();
        } catch (Mqtt5PubRecException e) {
            recCode = e.getMqttMessage().getReasonCode();
        }
        assertThat(recCode).isEqualTo(Mqtt5PubRecReasonCode.NOT_AUTHORIZED);

        alice.publishWith().topic("home/bob/light").qos(MqttQos.AT_MOST_ONCE).send(); // QoS 0: dropped silently
        alice.publishWith()
                .topic("home/alice/kitchen")
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();
        assertThat(drain(in, 700)).containsExactly("home/alice/kitchen");
        assertThat(alice.getState().isConnected()).isTrue();
    }

    @Test
    void deniedPublishIsAcknowledgedAndDroppedInMqtt311() throws Exception {
        start(b -> b, false);
        var in = watchAll("watch3");
        Mqtt3BlockingClient bob = v3Connected("bob-3", "bob", "builder");
        // MQTT 3.1.1 has no negative PUBACK: like Mosquitto, the broker acknowledges and drops the message.
        bob.publishWith().topic("home/alice/kitchen").qos(MqttQos.AT_LEAST_ONCE).send();
        bob.publishWith().topic("home/alice/hall").qos(MqttQos.EXACTLY_ONCE).send();
        bob.publishWith().topic("home/bob/garage").qos(MqttQos.AT_LEAST_ONCE).send();
        assertThat(drain(in, 700)).containsExactly("home/bob/garage");
        assertThat(bob.getState().isConnected()).isTrue();
    }

    @Test
    void deniedSubscriptionGets0x80InMqtt311() throws Exception {
        start(b -> b, false);
        Mqtt3BlockingClient bob = v3Connected("bob-3", "bob", "builder");
        List<Mqtt3SubAckReturnCode> codes;
        try {
            codes = bob.subscribeWith()
                    .addSubscription()
                    .topicFilter("home/alice/#")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .applySubscription()
                    .addSubscription()
                    .topicFilter("home/bob/#")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .applySubscription()
                    .send()
                    .getReturnCodes();
        } catch (Mqtt3SubAckException e) {
            codes = e.getMqttMessage().getReturnCodes();
        }
        // bob may read alice's home but only write his own
        assertThat(codes).containsExactly(Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_1, Mqtt3SubAckReturnCode.FAILURE);
        // a refused filter fails alone [MQTT-3.9.3-2]: the connection stays and takes the next SUBSCRIBE
        assertThat(bob.subscribeWith()
                        .topicFilter("home/alice/kitchen")
                        .qos(MqttQos.AT_MOST_ONCE)
                        .send()
                        .getReturnCodes())
                .containsExactly(Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_0);
    }

    @Test
    void deniedSubscriptionGets0x87InMqtt5() throws Exception {
        start(b -> b, false);
        Mqtt5BlockingClient alice = v5Connected("alice-5", "alice", "wonderland");
        List<Mqtt5SubAckReasonCode> codes;
        try {
            codes = alice.subscribeWith()
                    .addSubscription()
                    .topicFilter("home/#")
                    .applySubscription()
                    .addSubscription()
                    .topicFilter("home/alice/+")
                    .applySubscription()
                    .addSubscription()
                    .topicFilter("$share/g/home/bob/#")
                    .applySubscription()
                    .send()
                    .getReasonCodes();
        } catch (Mqtt5SubAckException e) {
            codes = e.getMqttMessage().getReasonCodes();
        }
        assertThat(codes)
                .containsExactly(
                        Mqtt5SubAckReasonCode.NOT_AUTHORIZED,
                        Mqtt5SubAckReasonCode.GRANTED_QOS_2,
                        Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
    }

    @Test
    void messagesTheReaderMayNotReadAreNotDelivered() throws Exception {
        start(b -> b, false);
        Mqtt5BlockingClient alice = v5Connected("alice-5", "alice", "wonderland");
        var in = alice.publishes(MqttGlobalPublishFilter.ALL);
        alice.subscribeWith()
                .topicFilter("home/alice/#")
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();
        Mqtt5BlockingClient root = v5Connected("root-5", "root", "toor");
        // retained on the denied topic: not sent on subscribe either
        root.publishWith()
                .topic("home/alice/secret")
                .retain(true)
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();
        root.publishWith()
                .topic("home/alice/kitchen")
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();
        root.publishWith().topic("home/alice/secret").qos(MqttQos.EXACTLY_ONCE).send();
        root.publishWith().topic("home/alice/hall").qos(MqttQos.AT_MOST_ONCE).send();
        assertThat(drain(in, 700)).containsExactly("home/alice/kitchen", "home/alice/hall");
        Mqtt5BlockingClient alice2 = v5Connected("alice-5b", "alice", "wonderland");
        var in2 = alice2.publishes(MqttGlobalPublishFilter.ALL);
        alice2.subscribeWith().topicFilter("home/alice/#").send();
        assertThat(drain(in2, 500)).isEmpty();
    }

    @Test
    void patternsGiveEachUserAndClientTheirOwnTopics() throws Exception {
        start(b -> b, false);
        var in = watchAll("watch");
        Mqtt5BlockingClient bob = v5Connected("sensor-42", "bob", "builder");
        bob.publishWith()
                .topic("devices/sensor-42/status")
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();
        bob.publishWith().topic("users/bob/notes").qos(MqttQos.AT_LEAST_ONCE).send();
        publishExpectingDenial(bob, "devices/sensor-43/status");
        publishExpectingDenial(bob, "users/alice/notes");
        assertThat(drain(in, 700)).containsExactly("devices/sensor-42/status", "users/bob/notes");
        List<Mqtt5SubAckReasonCode> codes;
        try {
            codes = bob.subscribeWith()
                    .addSubscription()
                    .topicFilter("users/bob/#")
                    .applySubscription()
                    .addSubscription()
                    .topicFilter("users/+/notes")
                    .applySubscription()
                    .send()
                    .getReasonCodes();
        } catch (Mqtt5SubAckException e) {
            codes = e.getMqttMessage().getReasonCodes();
        }
        assertThat(codes).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_2, Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
    }

    private static void publishExpectingDenial(Mqtt5BlockingClient c, String topic) {
        try {
            Mqtt5PublishResult r =
                    c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).send();
            assertThat(((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode())
                    .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        } catch (Mqtt5PubAckException e) {
            assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        }
    }

    @Test
    void sysTopicsAreForTheAdminRoleOnlyWhenConfigured() throws Exception {
        start(b -> b.sysAdminOnly(true).adminRole("mqtt-admins"), false);
        Mqtt5BlockingClient alice = v5Connected("alice-5", "alice", "wonderland");
        List<Mqtt5SubAckReasonCode> codes;
        try {
            codes = alice.subscribeWith().topicFilter("$SYS/#").send().getReasonCodes();
        } catch (Mqtt5SubAckException e) {
            codes = e.getMqttMessage().getReasonCodes();
        }
        assertThat(codes).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        Mqtt5BlockingClient root = v5Connected("root-5", "root", "toor");
        assertThat(root.subscribeWith().topicFilter("$SYS/#").send().getReasonCodes())
                .containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_2);
    }

    @Test
    void willOnAForbiddenTopicIsRefusedAtConnect() throws Exception {
        start(b -> b, false);
        Mqtt5BlockingClient bob = v5("bob-will");
        Mqtt5ConnAckException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                Mqtt5ConnAckException.class,
                () -> bob.connectWith()
                        .simpleAuth()
                        .username("bob")
                        .password(bytes("builder"))
                        .applySimpleAuth()
                        .willPublish()
                        .topic("home/alice/alarm")
                        .payload(bytes("gone"))
                        .applyWillPublish()
                        .send());
        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
    }
}
