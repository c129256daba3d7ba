package io.mqttra.broker;

import static io.mqttra.broker.PubSubTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.mqttra.broker.config.BrokerConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LocalSessionTest extends BrokerTestSupport {

    @Override
    protected BrokerConfig.Builder config() {
        return super.config().maxInflight(2);
    }

    @Test
    void localSession_receivesNetworkPublish_withSubscriptionIdentifier() throws Exception {
        BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
        try (LocalSession ls = broker.openLocalSession("mdb-1", got::add)) {
            ls.subscribe("house/+/light", 2, 7);
            Mqtt5BlockingClient pub = v5("dev");
            pub.connect();
            pub.publishWith()
                    .topic("house/hall/light")
                    .qos(MqttQos.EXACTLY_ONCE)
                    .payload(bytes("on"))
                    .send();
            Delivery d = got.poll(5, TimeUnit.SECONDS);
            assertThat(d).isNotNull();
            assertThat(d.message().topic()).isEqualTo("house/hall/light");
            assertThat(d.message().qos()).isEqualTo(2);
            assertThat(d.subscriptionIdentifiers()).containsExactly(7);
            d.acknowledge();
        }
    }

    @Test
    void localDeliveries_stayInFlightUntilAcknowledged() throws Exception {
        BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
        try (LocalSession ls = broker.openLocalSession("mdb-2", got::add)) {
            ls.subscribe("work", 1, 1);
            for (int i = 0; i < 5; i++) {
                broker.publish(new ApplicationMessage("work", bytes("job" + i), 1, false, null))
                        .join();
            }
            // window of 2 (maxInflight): only two deliveries until acknowledged
            Delivery a = got.poll(5, TimeUnit.SECONDS);
            Delivery b = got.poll(5, TimeUnit.SECONDS);
            assertThat(got.poll(300, TimeUnit.MILLISECONDS)).isNull();
            a.acknowledge();
            a.acknowledge(); // idempotent
            Delivery c = got.poll(5, TimeUnit.SECONDS);
            assertThat(c).isNotNull();
            assertThat(new String(c.message().payload())).isEqualTo("job2");
            assertThat(got.poll(300, TimeUnit.MILLISECONDS)).isNull();
            b.acknowledge();
            c.acknowledge();
            for (int i = 0; i < 2; i++) {
                Delivery d = got.poll(5, TimeUnit.SECONDS);
                assertThat(d).isNotNull();
                d.acknowledge();
            }
        }
    }

    @Test
    void internalPublish_reachesNetworkSubscriber() throws Exception {
        Mqtt5BlockingClient sub = v5("listener");
        sub.connect();
        try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("app/out").qos(MqttQos.EXACTLY_ONCE).send();
            var props = io.mqttra.api.PublishProperties.builder()
                    .contentType("text/plain")
                    .userProperty("k", "v")
                    .build();
            broker.publish(new ApplicationMessage("app/out", bytes("hello"), 2, false, props))
                    .get(5, TimeUnit.SECONDS);
            var p = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(p.getQos()).isEqualTo(MqttQos.EXACTLY_ONCE);
            assertThat(p.getContentType().orElseThrow().toString()).isEqualTo("text/plain");
            assertThat(p.getUserProperties().asList()).hasSize(1);
        }
    }

    @Test
    void closedLocalSession_removesItsSubscriptions() {
        LocalSession ls = broker.openLocalSession("mdb-3", d -> {});
        ls.subscribe("a/#", 0, 0);
        assertThat(broker.metrics().subscriptions()).isEqualTo(1);
        ls.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.metrics().subscriptions() == 0);
    }

    @Test
    void invalidFilter_isRejected() {
        try (LocalSession ls = broker.openLocalSession("mdb-4", d -> {})) {
            assertThatThrownBy(() -> ls.subscribe("a/#/b", 0, 0)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void internalPublish_withInvalidTopic_fails() {
        assertThat(broker.publish(new ApplicationMessage("a/+", bytes("x"), 0, false, null)))
                .isCompletedExceptionally();
    }

    @Test
    void sharedLocalSubscriptions_eachMessageToOneMember() throws Exception {
        BlockingQueue<Delivery> one = new LinkedBlockingQueue<>();
        BlockingQueue<Delivery> two = new LinkedBlockingQueue<>();
        try (LocalSession a = broker.openLocalSession("pool-a", d -> {
                    one.add(d);
                    d.acknowledge();
                });
                LocalSession b = broker.openLocalSession("pool-b", d -> {
                    two.add(d);
                    d.acknowledge();
                })) {
            a.subscribe("$share/pool/jobs/#", 1, 0);
            b.subscribe("$share/pool/jobs/#", 1, 0);
            for (int i = 0; i < 10; i++) {
                broker.publish(new ApplicationMessage("jobs/x", bytes("j" + i), 1, false, null))
                        .join();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> one.size() + two.size() == 10);
            Thread.sleep(200);
            assertThat(one.size() + two.size()).isEqualTo(10);
            assertThat(one).isNotEmpty();
            assertThat(two).isNotEmpty();
        }
    }

    static List<String> payloads(BlockingQueue<Delivery> q) {
        return q.stream().map(d -> new String(d.message().payload())).toList();
    }
}
