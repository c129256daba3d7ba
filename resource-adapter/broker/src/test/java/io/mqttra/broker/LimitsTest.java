package io.mqttra.broker;

import static io.mqttra.broker.PubSubTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.mqttra.broker.config.BrokerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LimitsTest extends BrokerTestSupport {

    @Override
    protected BrokerConfig.Builder config() {
        return super.config().maxConnections(1).maxInflight(2).maxQos(1);
    }

    @Test
    void maxConnections_refusesWithQuotaExceeded_andCounts() throws Exception {
        v5("only-one").connect();
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.metrics().connections() == 1);
        try {
            v5("one-too-many").connect();
            org.junit.jupiter.api.Assertions.fail("second connection accepted");
        } catch (Mqtt5ConnAckException e) {
            assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.QUOTA_EXCEEDED);
        }
        assertThat(broker.metrics().connectionsRejected()).isEqualTo(1);
    }

    @Test
    void maximumQos_announced_andSubscriptionsGrantedAtMost_MQTT_3_2_2_9() throws Exception {
        Mqtt5BlockingClient c = v5("maxqos");
        assertThat(c.connect().getRestrictions().getMaximumQos().getCode()).isEqualTo(1);
        var ack = c.subscribeWith().topicFilter("mq").qos(MqttQos.EXACTLY_ONCE).send();
        assertThat(ack.getReasonCodes().get(0).getCode()).isEqualTo(1);
    }

    @Test
    void publishAboveMaximumQos_disconnect0x9B_MQTT_3_2_2_11() throws Exception {
        try (RawClient r = raw()) {
            r.send(RawClient.connect5("qos2-sender", true, 60, new byte[0]));
            r.readPacket();
            r.send(RawClient.publish5(2, "t", 1, new byte[0], bytes("x")));
            byte[] d = r.readPacket();
            assertThat(d[0] & 0xFF).isEqualTo(0xE0);
            assertThat(d[2] & 0xFF).isEqualTo(0x9B);
        }
    }

    @Test
    void metrics_countMessagesInAndOut() throws Exception {
        BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
        long inBefore = broker.metrics().messagesIn();
        try (LocalSession s = broker.openLocalSession("metered", d -> {
            got.add(d);
            d.acknowledge();
        })) {
            s.subscribe("m/#", 1, 0);
            for (int i = 0; i < 5; i++) {
                broker.publish(new ApplicationMessage("m/x", bytes("12345"), 1, false, null))
                        .join();
            }
            for (int i = 0; i < 5; i++) {
                assertThat(got.poll(5, TimeUnit.SECONDS)).isNotNull();
            }
        }
        assertThat(broker.metrics().messagesIn() - inBefore).isGreaterThanOrEqualTo(5);
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.metrics().messagesOut() >= 5);
        assertThat(broker.metrics().bytesOut()).isGreaterThanOrEqualTo(25);
    }

    @Test
    void sharedSubscription_messagesOfLeavingMemberGoToAnotherMember() throws Exception {
        BlockingQueue<Delivery> neverAcks = new LinkedBlockingQueue<>();
        BlockingQueue<Delivery> acks = new LinkedBlockingQueue<>();
        LocalSession a = broker.openLocalSession("leaver", neverAcks::add);
        try (LocalSession b = broker.openLocalSession("stayer", d -> {
            acks.add(d);
            d.acknowledge();
        })) {
            a.subscribe("$share/grp/jobs", 1, 0);
            b.subscribe("$share/grp/jobs", 1, 0);
            for (int i = 0; i < 6; i++) {
                broker.publish(new ApplicationMessage("jobs", bytes("j" + i), 1, false, null))
                        .join();
            }
            // round robin: three each; the leaver holds two in flight (maxInflight 2) and one queued
            await().atMost(Duration.ofSeconds(5)).until(() -> neverAcks.size() == 2 && acks.size() == 3);
            a.close(); // its unacknowledged messages are redistributed
            await().atMost(Duration.ofSeconds(5)).until(() -> acks.size() == 6);
            assertThat(LocalSessionTest.payloads(acks)).containsExactlyInAnyOrder("j0", "j1", "j2", "j3", "j4", "j5");
        }
        assertThat(broker.publish(new ApplicationMessage("jobs", bytes("after"), 0, false, null)))
                .isNotNull();
    }

    /**
     * A subscriber that stops acknowledging holds its publishers back for at most {@link
     * io.mqttra.broker.session.Session#MAX_HOLD_MILLIS}; then it counts as stuck, its drop policy applies, and the
     * publisher and the other subscribers of the topic go on at full speed.
     */
    @Test
    void aStuckSubscriber_holdsPublishersBackOnlyBriefly() throws Exception {
        broker.stop();
        // Receive Maximum 20: the healthy subscriber's own back-pressure then keeps its queue within the limit.
        broker = new MqttBroker(BrokerConfig.builder()
                .port(0)
                .ioThreads(2)
                .maxQueuedMessages(100)
                .maxInflight(10)
                .receiveMaximum(20)
                .build());
        broker.start();
        port = broker.port();
        try (RawClient stuck = raw()) {
            stuck.send(RawClient.connect311("stuck", true, 0));
            stuck.readPacket(); // CONNACK
            stuck.send(RawClient.subscribe(1, "feed", 1));
            stuck.readPacket(); // SUBACK; it never sends a PUBACK
            Mqtt5BlockingClient healthy = v5("healthy");
            healthy.connect();
            AtomicInteger got = new AtomicInteger();
            healthy.toAsync()
                    .subscribeWith()
                    .topicFilter("feed")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .callback(p -> got.incrementAndGet())
                    .send()
                    .get(5, TimeUnit.SECONDS);
            Mqtt5BlockingClient pub = v5("feeder");
            pub.connect();
            int n = 1000;
            long t0 = System.nanoTime();
            publishAllQos1(pub.toAsync(), "feed", "f", n, 30);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            // One hold of 5 s at most, not one per window of publishes (which would take minutes).
            assertThat(seconds).isLessThan(15);
            await().atMost(Duration.ofSeconds(10)).until(() -> got.get() == n);
            // Only the stuck subscriber lost messages: beyond its window and full queue.
            assertThat(broker.metrics().messagesDropped()).isEqualTo(n - 10 - 100);
        }
    }

    /**
     * A session that gets a topic at QoS 0 never holds back that topic's QoS 1 publisher, however congested the
     * session is with QoS 1 messages of other topics: a QoS 0 delivery never waits in its queue, what the network does
     * not take is dropped and counted. Held, the publisher would get no PUBACK for the whole hold of {@link
     * io.mqttra.broker.session.Session#MAX_HOLD_MILLIS}.
     */
    @Test
    void aCongestedSessionThatGetsATopicAtQos0_neverHoldsItsQos1PublisherBack() throws Exception {
        broker.stop();
        // Receive Maximum 20: the healthy subscriber's own back-pressure then keeps its queue within the limit.
        broker = new MqttBroker(BrokerConfig.builder()
                .port(0)
                .ioThreads(2)
                .maxQueuedMessages(100)
                .maxInflight(10)
                .receiveMaximum(20)
                .outboundBufferBytes(64 * 1024)
                .build());
        broker.start();
        port = broker.port();
        // A small fixed receive buffer: the kernel's autotuned one would absorb the QoS 0 stream itself.
        try (RawClient stuck = new RawClient("127.0.0.1", port, 16 * 1024)) {
            stuck.send(RawClient.connect311("stuck", true, 0));
            stuck.readPacket(); // CONNACK
            stuck.send(RawClient.subscribe(1, "orders", 1));
            stuck.readPacket(); // SUBACK
            stuck.send(RawClient.subscribe(2, "feed", 0));
            stuck.readPacket(); // SUBACK; from here on it neither reads nor acknowledges
            Mqtt5AsyncClient orders = v5("orders-pub").toAsync();
            orders.connect().get(5, TimeUnit.SECONDS);
            // Beyond half the queue limit (its window of 10 aside), within the limit: nothing dropped. The publisher's
            // window of 20 covers the publishes held once the session is congested.
            int backlog = 70;
            for (int i = 0; i < backlog; i++) {
                orders.publishWith()
                        .topic("orders")
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .payload(bytes("o" + i))
                        .send();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> queued("stuck") == backlog - 10);

            AtomicInteger got = new AtomicInteger();
            Mqtt5AsyncClient healthy = v5("healthy").toAsync();
            healthy.connect().get(5, TimeUnit.SECONDS);
            healthy.subscribeWith()
                    .topicFilter("feed")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .callback(p -> got.incrementAndGet())
                    .send()
                    .get(5, TimeUnit.SECONDS);
            Mqtt5AsyncClient feeder = v5("feeder").toAsync();
            feeder.connect().get(5, TimeUnit.SECONDS);
            int n = 20_000;
            byte[] payload = new byte[1024]; // 20 MB: more than the kernel buffers of a loopback connection hold
            long[] acked = new long[n + 1];
            List<CompletableFuture<?>> acks = new ArrayList<>(n);
            acked[0] = System.nanoTime();
            for (int i = 0; i < n; i++) {
                int slot = i + 1;
                acks.add(feeder.publishWith()
                        .topic("feed")
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .payload(payload)
                        .send()
                        .whenComplete((r, e) -> acked[slot] = System.nanoTime()));
            }
            CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
            java.util.Arrays.sort(acked);
            long longestPause = 0;
            for (int i = 1; i <= n; i++) {
                longestPause = Math.max(longestPause, acked[i] - acked[i - 1]);
            }
            // PUBACKs at full pace from the first on: no pause anywhere near the hold.
            assertThat(TimeUnit.NANOSECONDS.toMillis(longestPause))
                    .as("longest pause between PUBACKs (ms)")
                    .isLessThan(io.mqttra.broker.session.Session.MAX_HOLD_MILLIS / 2);
            await().atMost(Duration.ofSeconds(20)).until(() -> got.get() == n);
            assertThat(queued("stuck"))
                    .as("the stuck session's QoS 1 queue is untouched")
                    .isEqualTo(backlog - 10);

            // What the stuck session gets at QoS 0 and its connection did not take was dropped, and counted.
            long qos0Delivered = 0;
            stuck.timeout(1000);
            try {
                for (byte[] p; (p = stuck.readPacket()) != null; ) {
                    if (p[0] == 0x30) {
                        qos0Delivered++;
                    }
                }
                throw new AssertionError("the broker closed the stuck subscriber's connection");
            } catch (java.net.SocketTimeoutException end) {
                assertThat(qos0Delivered).isLessThan(n);
                assertThat(broker.metrics().messagesDropped()).isEqualTo(n - qos0Delivered);
            }
        }
    }

    private int queued(String clientId) {
        return broker.administration().sessions().stream()
                .filter(s -> s.clientId().equals(clientId))
                .mapToInt(io.mqttra.api.admin.SessionInfo::queued)
                .findFirst()
                .orElse(-1);
    }

    /**
     * Publishers inside the server (EJBs, transaction commits) have no Receive Maximum window: a QoS 1 flood from
     * them to a slow network subscriber waits for its queue to drain instead of overflowing it.
     */
    @Test
    void internalPublishes_waitForASlowSubscriber_insteadOfBeingDropped() throws Exception {
        broker.stop();
        broker = new MqttBroker(BrokerConfig.builder()
                .port(0)
                .ioThreads(2)
                .maxQueuedMessages(100)
                .maxInflight(10)
                .build());
        broker.start();
        port = broker.port();
        ScheduledExecutorService slowAcks = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger received = new AtomicInteger();
        try {
            var sub = v5("slow-device").toAsync();
            sub.connect().get(5, TimeUnit.SECONDS);
            sub.subscribeWith()
                    .topicFilter("commands")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .callback(p -> slowAcks.schedule(
                            () -> {
                                received.incrementAndGet();
                                p.acknowledge();
                            },
                            1,
                            TimeUnit.MILLISECONDS))
                    .manualAcknowledgement(true)
                    .send()
                    .get(5, TimeUnit.SECONDS);
            int n = 1000;
            for (int i = 0; i < n; i++) {
                broker.publish(new ApplicationMessage("commands", bytes("c" + i), 1, false, null))
                        .get(10, TimeUnit.SECONDS);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> received.get() == n);
            assertThat(broker.metrics().messagesDropped()).isZero();
        } finally {
            slowAcks.shutdownNow();
        }
    }

    /**
     * A subscriber that stops reading for a moment gets a QoS 0 burst that fits its outbound buffer in full; what
     * goes beyond the buffer is dropped and counted, never buffered without bound.
     */
    @Test
    void qos0Burst_toAPausedSubscriber_isBufferedUpToTheOutboundLimit_thenDropped() throws Exception {
        int burst = 6000; // 6 MB: more than the kernel buffers on both ends of a loopback connection hold (4 MB here)
        byte[] payload = new byte[1024];
        assertThat(qos0BurstDelivered(16 * 1024 * 1024, burst, payload)).isEqualTo(burst);
        assertThat(broker.metrics().messagesDropped()).isZero();
        long delivered = qos0BurstDelivered(64 * 1024, burst, payload);
        assertThat(delivered).isLessThan(burst);
        assertThat(broker.metrics().messagesDropped()).isEqualTo(burst - delivered);
    }

    /** Publishes {@code burst} QoS 0 messages while a raw subscriber does not read; returns how many it then gets. */
    private long qos0BurstDelivered(int outboundBufferBytes, int burst, byte[] payload) throws Exception {
        broker.stop();
        broker = new MqttBroker(BrokerConfig.builder()
                .port(0)
                .outboundBufferBytes(outboundBufferBytes)
                .build());
        broker.start();
        port = broker.port();
        // A small fixed receive buffer: the kernel's autotuned one would absorb megabytes of the burst itself.
        try (RawClient sub = new RawClient("127.0.0.1", port, 16 * 1024)) {
            sub.send(RawClient.connect311("paused", true, 0));
            sub.readPacket(); // CONNACK
            sub.send(RawClient.subscribe(1, "burst", 0));
            sub.readPacket(); // SUBACK
            Mqtt5BlockingClient pub = v5("burster");
            pub.connect();
            for (int i = 0; i < burst; i++) {
                pub.publishWith().topic("burst").payload(payload).send();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> broker.metrics().messagesIn() >= burst);
            pub.disconnect(); // a PINGREQ round trip would be as good: every publish has been routed
            long delivered = 0;
            sub.timeout(1000);
            try {
                while (sub.readPacket() != null) {
                    delivered++;
                }
                throw new AssertionError("the broker closed the paused subscriber's connection");
            } catch (java.net.SocketTimeoutException end) {
                return delivered;
            }
        }
    }

    @org.junit.jupiter.api.RepeatedTest(3)
    void slowConsumer_slowsQos1Publisher_insteadOfDroppingMessages() throws Exception {
        broker.stop();
        int queueLimit = 100;
        int publisherWindow = 20;
        broker = new MqttBroker(BrokerConfig.builder()
                .port(0)
                .ioThreads(2)
                .maxQueuedMessages(queueLimit)
                .maxInflight(10)
                .receiveMaximum(publisherWindow)
                .build());
        broker.start();
        port = broker.port();
        ExecutorService slowPool = Executors.newSingleThreadExecutor();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger received = new AtomicInteger();
        AtomicInteger maxQueued = new AtomicInteger();
        try (LocalSession consumer = broker.openLocalSession(
                "slow-consumer",
                d -> slowPool.execute(() -> {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    received.incrementAndGet();
                    d.acknowledge();
                }))) {
            consumer.subscribe("flood", 1, 0);
            sampler.scheduleAtFixedRate(
                    () -> broker.administration().sessions().stream()
                            .filter(s -> s.clientId().equals("slow-consumer"))
                            .forEach(s -> maxQueued.accumulateAndGet(s.queued(), Math::max)),
                    0,
                    2,
                    TimeUnit.MILLISECONDS);
            Mqtt5BlockingClient pub = v5("fast-publisher");
            pub.connect();
            int n = 1000;
            publishAllQos1(pub.toAsync(), "flood", "m", n, 60);
            await().atMost(Duration.ofSeconds(30)).until(() -> received.get() == n);
            assertThat(broker.metrics().messagesDropped()).isZero();
            // The publisher was held back: acknowledged publishes stop once the backlog passes half the limit (the
            // one that passes it included), and at most one Receive Maximum window is unacknowledged on top.
            assertThat(maxQueued.get()).isPositive().isLessThanOrEqualTo(queueLimit / 2 + 1 + publisherWindow);
        } finally {
            sampler.shutdownNow();
            slowPool.shutdownNow();
        }
    }

    /** Publishes {@code n} QoS 1 messages (payload prefix + number) at once and waits for every PUBACK. */
    static void publishAllQos1(Mqtt5AsyncClient client, String topic, String prefix, int n, int timeoutSeconds)
            throws Exception {
        List<CompletableFuture<?>> acks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            acks.add(client.publishWith()
                    .topic(topic)
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(bytes(prefix + i))
                    .send());
        }
        CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0])).get(timeoutSeconds, TimeUnit.SECONDS);
    }
}
