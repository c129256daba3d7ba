package io.mqttra.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.mqttra.broker.TestTraffic;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The stored side of the broker module's CleanStartOfferRaceTest: a message on its way to a persistent session when a
 * Clean Start discards it [MQTT-3.1.2-4] has its queue entry written after the delete of the session, even after the
 * new session was saved. It must not stay as an entry of the new session, whose client here never acknowledges what
 * it gets: the store holds no entry after any round, and the new session restored from the H2 file has none.
 */
class CleanStartLateMessageH2Test {

    private static final int ROUNDS = 30;
    private static final int BYSTANDERS = 200;
    private static final Path LOG = Path.of("target", "clean-start-late-child.log");

    @Test
    void messagesOnTheirWayToTheDiscardedSession_leaveNoEntryOfTheNewSession_acrossARestart() throws Exception {
        Path dir = Path.of("target", "h2", "clean-start-late-" + System.nanoTime());
        List<String> leaks = new ArrayList<>();
        try (BrokerProcess broker = new BrokerProcess(dir, "256m", 100_000, 60_000, LOG)) {
            // Offline sessions with a QoS 0 subscription on the stream (nothing stored for them): the router prepares
            // each message for all of them between matching it and writing its queue entries, which widens the window
            // in which the Clean Start's delete of the session comes first.
            for (int i = 0; i < BYSTANDERS; i++) {
                Mqtt5AsyncClient b = Mqtt5Client.builder()
                        .identifier("bystander-" + i)
                        .serverHost("127.0.0.1")
                        .serverPort(broker.port())
                        .buildAsync();
                b.connectWith()
                        .cleanStart(true)
                        .sessionExpiryInterval(600)
                        .send()
                        .get(10, TimeUnit.SECONDS);
                b.subscribeWith()
                        .topicFilter("stream/#")
                        .qos(MqttQos.AT_MOST_ONCE)
                        .send()
                        .get(10, TimeUnit.SECONDS);
                b.disconnect().get(10, TimeUnit.SECONDS);
            }
            AtomicBoolean streaming = new AtomicBoolean(true);
            AtomicInteger published = new AtomicInteger();
            CompletableFuture<Void> stream =
                    CompletableFuture.runAsync(() -> TestTraffic.streamQos1(broker.port(), streaming, published));
            try {
                for (int round = 0; round < ROUNDS; round++) {
                    assertThat(TestTraffic.takeFromStream(client(broker.port()), 200))
                            .as("the stream reaches the subscriber")
                            .isGreaterThanOrEqualTo(200);

                    AtomicInteger late = new AtomicInteger();
                    Mqtt5AsyncClient fresh = client(broker.port());
                    fresh.publishes(MqttGlobalPublishFilter.ALL, p -> late.incrementAndGet(), true); // never acked
                    try {
                        fresh.connectWith()
                                .cleanStart(true)
                                .sessionExpiryInterval(600)
                                .send()
                                .get(10, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException e) {
                        leaks.add("round " + round + ": " + e.getCause().getMessage());
                        continue;
                    }
                    Thread.sleep(200);
                    fresh.disconnect().get(10, TimeUnit.SECONDS);
                    // What a restart would find: the next round's Clean Start deletes it again.
                    long stored = broker.stats("sub").queueEntries();
                    if (late.get() > 0 || stored > 0) {
                        leaks.add("round " + round + ": " + late.get() + " received, " + stored + " stored");
                    }
                }
            } finally {
                streaming.set(false);
                stream.get(30, TimeUnit.SECONDS);
            }
            assertThat(published.get()).as("messages streamed").isGreaterThan(ROUNDS * 200);
            broker.stop();
        }
        try (BrokerProcess broker = new BrokerProcess(dir, "256m", 100_000, 60_000, LOG)) {
            BrokerProcess.Stats s = broker.stats("sub");
            assertThat(s.sessions())
                    .as("the new session and the bystanders, restored")
                    .isEqualTo(1 + BYSTANDERS);
            assertThat(s.queueEntries())
                    .as("stored queue entries, of the new session only")
                    .isZero();
            AtomicInteger got = new AtomicInteger();
            Mqtt5AsyncClient again = client(broker.port());
            again.publishes(MqttGlobalPublishFilter.ALL, p -> got.incrementAndGet());
            assertThat(again.connectWith()
                            .cleanStart(false)
                            .sessionExpiryInterval(600)
                            .send()
                            .get(10, TimeUnit.SECONDS)
                            .isSessionPresent())
                    .isTrue();
            Thread.sleep(500);
            assertThat(got.get()).as("messages the restored new session got").isZero();
            again.disconnect().get(10, TimeUnit.SECONDS);
            broker.stop();
        }
        assertThat(leaks)
                .as("rounds whose new session got messages of the discarded one")
                .isEmpty();
    }

    private static Mqtt5AsyncClient client(int port) {
        return Mqtt5Client.builder()
                .identifier("sub")
                .serverHost("127.0.0.1")
                .serverPort(port)
                .buildAsync();
    }
}
