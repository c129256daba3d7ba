package io.mqttra.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.mqttra.broker.TestTraffic;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The H2 variant of the broker module's SharedQueueHandOverTest: a shared-subscription member's queue, restored from
 * an H2 file after a restart and so in the store only, goes to the other member of the group when the member's
 * session ends (MQTT 5.0 section 4.8.2), in order and once, and leaves no rows behind.
 */
class SharedQueueHandOverH2Test {

    private static final int QUEUED = 2000;
    private static final Path LOG = Path.of("target", "shared-hand-over-child.log");

    @Test
    void restoredMemberEndsItsSessionWithCleanStart_itsStoredQueueGoesToTheOtherMember() throws Exception {
        Path dir = Path.of("target", "h2", "shared-hand-over-" + System.nanoTime());
        try (BrokerProcess broker = new BrokerProcess(dir, "128m", QUEUED, 500, LOG)) {
            Mqtt5AsyncClient leaver = client("leaver", broker.port());
            leaver.connectWith()
                    .cleanStart(true)
                    .sessionExpiryInterval(3600)
                    .send()
                    .get(10, TimeUnit.SECONDS);
            leaver.subscribeWith()
                    .topicFilter("$share/workers/jobs/#")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send()
                    .get(10, TimeUnit.SECONDS);
            leaver.disconnect().get(10, TimeUnit.SECONDS);
            publish(broker.port());
            assertThat(broker.stats("leaver").queued()).isEqualTo(QUEUED);
            broker.stop();
        }
        try (BrokerProcess broker = new BrokerProcess(dir, "128m", QUEUED, 500, LOG)) {
            assertThat(broker.stats("leaver").queued()).isEqualTo(QUEUED); // restored, in the store only
            AtomicInteger next = new AtomicInteger();
            AtomicReference<String> wrong = new AtomicReference<>();
            Mqtt5AsyncClient stayer = client("stayer", broker.port());
            stayer.publishes(MqttGlobalPublishFilter.ALL, TestTraffic.inOrderOnce(next, wrong));
            stayer.connectWith().cleanStart(true).send().get(10, TimeUnit.SECONDS);
            stayer.subscribeWith()
                    .topicFilter("$share/workers/jobs/#")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send()
                    .get(10, TimeUnit.SECONDS);

            // Clean Start ends the restored session [MQTT-3.1.2-4].
            Mqtt5AsyncClient again = client("leaver", broker.port());
            assertThat(again.connectWith()
                            .cleanStart(true)
                            .send()
                            .get(10, TimeUnit.SECONDS)
                            .isSessionPresent())
                    .isFalse();

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (next.get() < QUEUED && wrong.get() == null && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(wrong.get()).isNull();
            assertThat(next.get()).isEqualTo(QUEUED);
            // Every hand-over completed (the stayer is not persistent): nothing of the leaver's queue stays stored.
            while (broker.stats("leaver").storedMessages() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            BrokerProcess.Stats s = broker.stats("leaver");
            assertThat(s.queueEntries()).isZero();
            assertThat(s.storedMessages()).isZero();
            assertThat(next.get()).isEqualTo(QUEUED); // nothing a second time
            again.disconnect().get(10, TimeUnit.SECONDS);
            stayer.disconnect().get(10, TimeUnit.SECONDS);
            broker.stop();
        }
    }

    private static void publish(int port) throws Exception {
        Mqtt5AsyncClient pub = client("jobs-pub", port);
        pub.connect().get(10, TimeUnit.SECONDS);
        List<CompletableFuture<?>> acks = new ArrayList<>(QUEUED);
        for (int i = 0; i < QUEUED; i++) {
            acks.add(pub.publishWith()
                    .topic("jobs/a")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(ByteBuffer.allocate(4).putInt(i).array())
                    .send());
        }
        CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
        pub.disconnect().get(10, TimeUnit.SECONDS);
    }

    private static Mqtt5AsyncClient client(String id, int port) {
        return Mqtt5Client.builder()
                .identifier(id)
                .serverHost("127.0.0.1")
                .serverPort(port)
                .buildAsync();
    }
}
