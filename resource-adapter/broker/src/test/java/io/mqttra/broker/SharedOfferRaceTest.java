package io.mqttra.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.mqttra.api.admin.SessionInfo;
import io.mqttra.broker.config.BrokerConfig;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Shared subscriptions (MQTT 5.0 section 4.8.2): a message goes to one member of the group, and it is not lost when
 * that member's session ends while others remain, also when the router picked the member at that very moment.
 */
class SharedOfferRaceTest extends BrokerTestSupport {

    private static final int BYSTANDERS = 200;

    /**
     * Above anything this test queues: a full queue drops messages, and shared groups do not hold publishers back,
     * so a drop would look like a lost hand-over.
     */
    @Override
    protected BrokerConfig.Builder config() {
        return super.config().maxQueuedMessages(100_000);
    }

    /**
     * The offer race: a message the router picked the leaver for, still on its way to the leaver's session when that
     * session ends, goes to the other member, once. The leaver never acknowledges, so everything it was given is handed
     * on when its session ends and the stayer must see every message exactly once. Its sessions end over and over
     * while a publisher streams: by DISCONNECT with session expiry 0 (the late message was dropped: lost), or by a
     * Clean Start that takes the session over (the late message reached the new session, and for a queue partly in
     * the store only, also the stayer through the hand-over: twice).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void messagesOnTheirWayToAMemberWhoseSessionEnds_reachTheOtherMemberOnce(boolean cleanStartTakeover)
            throws Exception {
        int total = 10_000;
        // Offline sessions with a plain subscription on the same topics: the router hands each message to all of them
        // between picking the group's member and handing the message to it, which widens the race window.
        for (int i = 0; i < BYSTANDERS; i++) {
            Mqtt5BlockingClient b = v5("bystander-" + i);
            b.connectWith().cleanStart(true).sessionExpiryInterval(600).send();
            b.subscribeWith().topicFilter("jobs/#").qos(MqttQos.AT_MOST_ONCE).send();
            b.disconnect();
        }
        Map<Integer, Integer> seen = new ConcurrentHashMap<>();
        Mqtt5AsyncClient stayer = MqttClient.builder()
                .useMqttVersion5()
                .identifier("stayer")
                .serverHost("127.0.0.1")
                .serverPort(port)
                .buildAsync();
        stayer.publishes(
                MqttGlobalPublishFilter.ALL,
                p -> seen.merge(ByteBuffer.wrap(p.getPayloadAsBytes()).getInt(), 1, Integer::sum));
        stayer.connectWith().cleanStart(true).send().get(10, TimeUnit.SECONDS);
        stayer.subscribeWith()
                .topicFilter("$share/workers/jobs/#")
                .qos(MqttQos.AT_LEAST_ONCE)
                .send()
                .get(10, TimeUnit.SECONDS);

        Mqtt5AsyncClient pub = MqttClient.builder()
                .useMqttVersion5()
                .identifier("jobs-pub")
                .serverHost("127.0.0.1")
                .serverPort(port)
                .buildAsync();
        pub.connect().get(10, TimeUnit.SECONDS);
        List<CompletableFuture<?>> acks = new ArrayList<>(total);
        CompletableFuture<Void> published = CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < total; i++) {
                        acks.add(pub.publishWith()
                                .topic("jobs/a")
                                .qos(MqttQos.AT_LEAST_ONCE)
                                .payload(ByteBuffer.allocate(4).putInt(i).array())
                                .send());
                    }
                })
                .thenCompose(v -> CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0])));
        Mqtt5AsyncClient leaver = null;
        int sessions = 0;
        while (!published.isDone()) {
            if (leaver != null && !cleanStartTakeover) {
                leaver.disconnectWith().sessionExpiryInterval(0).send().get(10, TimeUnit.SECONDS);
            }
            leaver = neverAcknowledging("leaver");
            // With a takeover, the Clean Start ends the previous session while it is still connected [MQTT-3.1.2-4].
            leaver.connectWith()
                    .cleanStart(true)
                    .sessionExpiryInterval(cleanStartTakeover ? 600 : 0)
                    .send()
                    .get(10, TimeUnit.SECONDS);
            leaver.subscribeWith()
                    .topicFilter("$share/workers/jobs/#")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send()
                    .get(10, TimeUnit.SECONDS);
            sessions++;
            if (cleanStartTakeover) {
                // Until most of its queue is in the store only: the Clean Start then reads it from there to hand it on.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (!published.isDone() && queued("leaver") < 300 && System.nanoTime() < until) {
                    Thread.sleep(1);
                }
            }
        }
        published.get(60, TimeUnit.SECONDS);
        leaver.disconnectWith().sessionExpiryInterval(0).send().get(10, TimeUnit.SECONDS);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (seen.size() < total && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(300); // nothing arrives a second time
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            if (!seen.containsKey(i)) {
                missing.add(i);
            }
        }
        assertThat(broker.metrics().messagesDropped()).isZero();
        assertThat(missing).as("%d never reached the stayer", missing.size()).isEmpty();
        assertThat(seen.entrySet())
                .as("reached the stayer more than once")
                .filteredOn(e -> e.getValue() != 1)
                .isEmpty();
        assertThat(sessions)
                .as("sessions of the leaver that ended during the stream")
                .isGreaterThanOrEqualTo(3);
        pub.disconnect().get(10, TimeUnit.SECONDS);
        stayer.disconnect().get(10, TimeUnit.SECONDS);
    }

    private int queued(String clientId) {
        return broker.administration().sessions().stream()
                .filter(s -> s.clientId().equals(clientId))
                .mapToInt(SessionInfo::queued)
                .findFirst()
                .orElse(0);
    }

    /** A member that takes its deliveries and never acknowledges them: whatever it was given, its session holds. */
    private Mqtt5AsyncClient neverAcknowledging(String clientId) {
        Mqtt5AsyncClient c = MqttClient.builder()
                .useMqttVersion5()
                .identifier(clientId)
                .serverHost("127.0.0.1")
                .serverPort(port)
                .buildAsync();
        c.publishes(MqttGlobalPublishFilter.ALL, p -> {}, true);
        return c;
    }
}
