package io.mqttra.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.mqttra.broker.config.BrokerConfig;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A persistent session pages its queue in from the message store (here the in-memory one) a read-ahead at a time
 * (issue #5); the paging keeps the queue order and delivers each message once, also while new messages keep
 * arriving during the drain. The H2 variant with a bounded heap is the persistence module's BoundedQueueTest.
 */
class PagedQueueTest extends BrokerTestSupport {

    private static final int OFFLINE = 3000;
    private static final int LIVE = 3000;

    @Override
    protected BrokerConfig.Builder config() {
        return super.config().maxQueuedMessages(OFFLINE + LIVE).maxInflight(8);
    }

    @Test
    void offlineQueueMuchLongerThanTheReadAhead_drainsInOrderOnce_whilePublishingGoesOn_MQTT_4_6_0_6()
            throws Exception {
        Mqtt5BlockingClient sub = v5("paged");
        sub.connectWith().cleanStart(true).sessionExpiryInterval(600).send();
        sub.subscribeWith().topicFilter("paged/#").qos(MqttQos.AT_LEAST_ONCE).send();
        sub.disconnect();
        Mqtt5AsyncClient pub = MqttClient.builder()
                .useMqttVersion5()
                .identifier("paged-pub")
                .serverHost("127.0.0.1")
                .serverPort(port)
                .buildAsync();
        pub.connect().get(10, TimeUnit.SECONDS);
        publish(pub, 0, OFFLINE).get(60, TimeUnit.SECONDS);

        AtomicInteger next = new AtomicInteger();
        AtomicReference<String> wrong = new AtomicReference<>();
        Mqtt5AsyncClient again = MqttClient.builder()
                .useMqttVersion5()
                .identifier("paged")
                .serverHost("127.0.0.1")
                .serverPort(port)
                .buildAsync();
        again.publishes(MqttGlobalPublishFilter.ALL, TestTraffic.inOrderOnce(next, wrong));
        assertThat(again.connectWith()
                        .cleanStart(false)
                        .sessionExpiryInterval(600)
                        .send()
                        .get(10, TimeUnit.SECONDS)
                        .isSessionPresent())
                .isTrue();
        // Published while the backlog drains: queued behind it, never ahead of it or twice.
        publish(pub, OFFLINE, LIVE).get(60, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (next.get() < OFFLINE + LIVE && wrong.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(wrong.get()).isNull();
        assertThat(next.get()).isEqualTo(OFFLINE + LIVE);
        Thread.sleep(300);
        assertThat(next.get()).isEqualTo(OFFLINE + LIVE);
        again.disconnect().get(10, TimeUnit.SECONDS);
        pub.disconnect().get(10, TimeUnit.SECONDS);
    }

    private static CompletableFuture<Void> publish(Mqtt5AsyncClient pub, int from, int n) {
        List<CompletableFuture<?>> acks = new ArrayList<>(n);
        for (int i = from; i < from + n; i++) {
            acks.add(pub.publishWith()
                    .topic("paged/t")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(ByteBuffer.allocate(16).putInt(i).array())
                    .send());
        }
        return CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0]));
    }
}
