package io.mqttra.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Protocol violations written byte by byte; each asserts the reaction the standard prescribes. */
class RawProtocolTest extends BrokerTestSupport {

    @Test
    void firstPacketNotConnect_connectionClosed_MQTT_3_1_0_1() throws Exception {
        try (RawClient r = raw()) {
            r.send(0xC0, 0); // PINGREQ
            assertThat(r.closedByBroker()).isTrue();
        }
    }

    @Test
    void badProtocolName_closedWithoutConnack_MQTT_3_1_2_1() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect("MQTX", 4, 0x02, 60, "bad-name"));
            assertThat(r.readPacket()).isNull();
        }
    }

    @Test
    void unsupportedProtocolLevel_connack0x01_MQTT_3_1_2_2() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect("MQTT", 7, 0x02, 60, "bad-level"));
            assertThat(r.readPacket()).containsExactly(0x20, 2, 0, 0x01);
            assertThat(r.closedByBroker()).isTrue();
        }
    }

    @Test
    void reservedConnectFlagSet_connectionClosed_MQTT_3_1_2_3() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect("MQTT", 4, 0x03, 60, "reserved"));
            assertThat(r.readPacket()).isNull();
        }
    }

    @Test
    void secondConnect_isProtocolViolation_MQTT_3_1_0_2() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect311("twice", true, 60));
            assertThat(r.readPacket()).containsExactly(0x20, 2, 0, 0);
            r.send(RawClient.connect311("twice", true, 60));
            assertThat(r.closedByBroker()).isTrue();
        }
    }

    @Test
    void reservedFixedHeaderFlags_connectionClosed_MQTT_2_2_2_2() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect311("flags", true, 60));
            r.readPacket();
            r.send(0x80, 6, 0, 1, 0, 1, 'a', 0); // SUBSCRIBE with flags 0000 instead of 0010
            assertThat(r.closedByBroker()).isTrue();
        }
    }

    @Test
    void publishWithWildcardTopic_connectionClosed_MQTT_3_3_2_2() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect311("wild", true, 60));
            r.readPacket();
            r.send(RawClient.publish(0, false, "a/+", 0, "x".getBytes(StandardCharsets.UTF_8)));
            assertThat(r.closedByBroker()).isTrue();
        }
    }

    @Test
    void connectTimeout_socketWithoutConnectIsClosed() throws Exception {
        broker.stop();
        broker = new MqttBroker(config().connectTimeoutSeconds(1).build());
        broker.start();
        port = broker.port();
        try (RawClient r = raw()) {
            r.send(0x10); // start of a CONNECT that never completes
            assertThat(r.closedByBroker()).isTrue();
        }
    }

    @Test
    void invalidSubscribeFilter_getsFailureReturnCode0x80_MQTT_3_9_3_2() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect311("badfilter", true, 60));
            r.readPacket();
            r.send(RawClient.subscribe(7, "a/#/b", 1));
            assertThat(r.readPacket()).containsExactly(0x90, 3, 0, 7, 0x80);
        }
    }

    @Test
    void qos2ResentBeforePubrel_isDeliveredOnce_MQTT_4_3_3_9() throws Exception {
        Mqtt5BlockingClient sub = v5("qos2-sub");
        sub.connect();
        try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("once/#").qos(MqttQos.EXACTLY_ONCE).send();
            try (RawClient r = raw()) {
                r.send(RawClient.connect311("qos2-pub", true, 60));
                r.readPacket();
                byte[] payload = "exactly".getBytes(StandardCharsets.UTF_8);
                r.send(RawClient.publish(2, false, "once/a", 42, payload));
                assertThat(r.readPacket()).containsExactly(0x50, 2, 0, 42); // PUBREC
                r.send(RawClient.publish(2, true, "once/a", 42, payload)); // resent with DUP before PUBREL
                assertThat(r.readPacket()).containsExactly(0x50, 2, 0, 42);
                r.send(RawClient.pubrel(42));
                assertThat(r.readPacket()).containsExactly(0x70, 2, 0, 42); // PUBCOMP
            }
            assertThat(publishes.receive(5, TimeUnit.SECONDS)).isPresent();
            assertThat(publishes.receive(500, TimeUnit.MILLISECONDS)).isEmpty();
        }
    }

    /** Netty once let a trailing one-byte property leak into the payload: cover it. */
    @Test
    void v5PropertiesEndingWithOneByteProperty_payloadIntact() throws Exception {
        Mqtt5BlockingClient sub = v5("onebyte-sub");
        sub.connect();
        try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("onebyte").send();
            try (RawClient r = raw()) {
                r.send(RawClient.connect5("onebyte-pub", true, 60, new byte[0]));
                r.readPacket();
                byte[] props = {0x02, 0, 0, 0, 100, 0x01, 0x01}; // message expiry 100, then payload format 1
                r.send(RawClient.publish5(0, "onebyte", 0, props, "abc".getBytes(StandardCharsets.UTF_8)));
                var p = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
                assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8))
                        .isEqualTo("abc");
            }
        }
    }

    /** Netty 4.2.2 broke CONNECT with large passwords: cover it. */
    @Test
    void connectWithLargePassword_accepted() {
        Mqtt5BlockingClient c = v5("big-password");
        byte[] password = new byte[4000];
        java.util.Arrays.fill(password, (byte) 'p');
        var ack = c.connectWith()
                .simpleAuth()
                .username("user")
                .password(password)
                .applySimpleAuth()
                .send();
        assertThat(ack.getReasonCode().isError()).isFalse();
    }
}
