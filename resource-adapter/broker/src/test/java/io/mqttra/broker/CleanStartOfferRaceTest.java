package io.mqttra.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.mqttra.broker.config.BrokerConfig;
import io.mqttra.broker.store.Stores;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Clean Start discards the session it finds [MQTT-3.1.2-4]: a message the router matched with the old session's
 * subscription just before, still on its way to that session, must not reach the new one, which has no subscription
 * (the shared-subscription variant of this race is {@link SharedOfferRaceTest}).
 */
class CleanStartOfferRaceTest extends BrokerTestSupport {

    private static final int ROUNDS = 40;

    private final Stores stores = Stores.inMemory();

    /** Above anything this test queues: nothing is dropped, so whatever went astray would show. */
    @Override
    protected BrokerConfig.Builder config() {
        return super.config().maxQueuedMessages(100_000);
    }

    /**
     * Each round: a persistent subscriber takes a QoS 1 stream, then a connection with its client id and Clean Start
     * takes the session over and subscribes to nothing; it must receive nothing, and (when the new session is
     * persistent too) nothing of the stream may stay queued for it in the store.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void messagesOnTheirWayToTheDiscardedSession_neverReachTheNewOne_MQTT_3_1_2_4(boolean newSessionPersists)
            throws Exception {
        restartWithStores();
        AtomicBoolean streaming = new AtomicBoolean(true);
        AtomicInteger published = new AtomicInteger();
        CompletableFuture<Void> stream =
                CompletableFuture.runAsync(() -> TestTraffic.streamQos1(port, streaming, published));
        List<String> leaks = new ArrayList<>();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                assertThat(TestTraffic.takeFromStream(client(), 200))
                        .as("the stream reaches the subscriber")
                        .isGreaterThanOrEqualTo(200);

                AtomicInteger late = new AtomicInteger();
                Mqtt5AsyncClient fresh = client();
                fresh.publishes(MqttGlobalPublishFilter.ALL, p -> late.incrementAndGet());
                try {
                    assertThat(fresh.connectWith()
                                    .cleanStart(true)
                                    .sessionExpiryInterval(newSessionPersists ? 600 : 0)
                                    .send()
                                    .get(10, TimeUnit.SECONDS)
                                    .isSessionPresent())
                            .isFalse();
                } catch (java.util.concurrent.ExecutionException e) {
                    // A late message written before the CONNACK makes the client give up [MQTT-3.2.0-1].
                    leaks.add("round " + round + ": " + e.getCause().getMessage());
                    continue;
                }
                Thread.sleep(200);
                fresh.disconnect().get(10, TimeUnit.SECONDS);
                int stored =
                        newSessionPersists ? stores.messages().loadQueue("sub").size() : 0;
                if (late.get() > 0 || stored > 0) {
                    leaks.add("round " + round + ": " + late.get() + " received, " + stored + " stored");
                }
            }
        } finally {
            streaming.set(false);
            stream.get(30, TimeUnit.SECONDS);
        }
        assertThat(published.get()).as("messages streamed").isGreaterThan(ROUNDS * 200);
        assertThat(leaks)
                .as("rounds whose new session got messages of the discarded one")
                .isEmpty();
    }

    /** The broker anew, with stores the test can look into. */
    private void restartWithStores() {
        broker.stop();
        broker = new MqttBroker(config().build(), null, stores);
        broker.start();
        port = broker.port();
    }

    private Mqtt5AsyncClient client() {
        return MqttClient.builder()
                .useMqttVersion5()
                .identifier("sub")
                .serverHost("127.0.0.1")
                .serverPort(port)
                .buildAsync();
    }
}
