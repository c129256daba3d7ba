package io.mqttra.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
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
 * Issue #5: the queue of an offline session lives in the store, not on the heap. 200,000 QoS 1 messages of 256
 * bytes (51 MB of payload alone) are queued for an offline session of a broker whose JVM has a 64 MB heap; the
 * broker restarts (start-up must not load the queue either), the client comes back and receives every message
 * once, in order. A broker that held the queue on the heap dies of OutOfMemoryError (the child exits on it).
 */
class BoundedQueueTest {

    private static final int MESSAGES = 200_000;
    private static final int PAYLOAD = 256;
    private static final String HEAP = "64m";
    /**
     * What the queue may add to the used heap after a GC: far below the payloads' size (51 MB). The rest is the
     * broker's, EclipseLink's and H2's own (H2's page cache alone is up to 16 MB), measured before publishing.
     */
    private static final long QUEUE_HEAP_BOUND = 16 << 20;

    @Test
    void aQueueOfTwoHundredThousandMessagesStaysInTheStoreAndDrainsInOrderAfterARestart() throws Exception {
        Path dir = Path.of("target", "h2", "bounded-" + System.nanoTime());
        Path log = Path.of("target", "bounded-queue-child.log");
        long started = System.nanoTime();
        long baseline;
        try (BrokerProcess broker = new BrokerProcess(dir, HEAP, MESSAGES, 10_000, log)) {
            baseline = broker.retainedHeap("drain");
            Mqtt5BlockingClient sub = client("drain", broker.port()).toBlocking();
            sub.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
            sub.subscribeWith().topicFilter("load/#").qos(MqttQos.AT_LEAST_ONCE).send();
            sub.disconnect();

            publish(broker.port());
            BrokerProcess.Stats s = broker.stats("drain");
            // The max-queued limit counts what is in the store (the limit is exactly MESSAGES: nothing dropped).
            assertThat(s.queued()).isEqualTo(MESSAGES);
            assertThat(s.queueEntries()).isEqualTo(MESSAGES);
            long withQueue = broker.retainedHeap("drain");
            System.out.printf("heap after GC: %d before, %d with the queue%n", baseline, withQueue);
            assertThat(withQueue).isLessThan(baseline + QUEUE_HEAP_BOUND);
            broker.stop();
        }
        System.out.printf("queued %d messages in %d s%n", MESSAGES, (System.nanoTime() - started) / 1_000_000_000L);

        started = System.nanoTime();
        try (BrokerProcess broker = new BrokerProcess(dir, HEAP, MESSAGES, 10_000, log)) {
            BrokerProcess.Stats s = broker.stats("drain");
            assertThat(s.queued()).isEqualTo(MESSAGES);
            long restarted = broker.retainedHeap("drain");
            System.out.printf("heap after GC after the restart: %d%n", restarted);
            assertThat(restarted).isLessThan(baseline + QUEUE_HEAP_BOUND);

            AtomicInteger next = new AtomicInteger();
            AtomicReference<String> wrong = new AtomicReference<>();
            Mqtt5AsyncClient sub = client("drain", broker.port());
            sub.publishes(MqttGlobalPublishFilter.ALL, TestTraffic.inOrderOnce(next, wrong));
            Mqtt5ConnAck ack = sub.connectWith()
                    .cleanStart(false)
                    .sessionExpiryInterval(3600)
                    .send()
                    .get(30, TimeUnit.SECONDS);
            assertThat(ack.isSessionPresent()).isTrue();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (next.get() < MESSAGES && wrong.get() == null && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(wrong.get()).isNull();
            assertThat(next.get()).isEqualTo(MESSAGES);
            // Every delivery completed: the store is empty again.
            while (broker.stats("drain").queueEntries() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            s = broker.stats("drain");
            assertThat(s.queued()).isZero();
            assertThat(s.queueEntries()).isZero();
            assertThat(s.storedMessages()).isZero();
            sub.disconnect().get(10, TimeUnit.SECONDS);
            broker.stop();
        }
        System.out.printf("drained %d messages in %d s%n", MESSAGES, (System.nanoTime() - started) / 1_000_000_000L);
    }

    private static void publish(int port) throws Exception {
        Mqtt5AsyncClient pub = client("load-publisher", port);
        pub.connect().get(30, TimeUnit.SECONDS);
        List<CompletableFuture<?>> acks = new ArrayList<>(MESSAGES);
        for (int i = 0; i < MESSAGES; i++) {
            byte[] payload = ByteBuffer.allocate(PAYLOAD).putInt(i).array();
            acks.add(pub.publishWith()
                    .topic("load/data")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(payload)
                    .send());
        }
        // PUBACK means durable for the offline session.
        CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0])).get(5, TimeUnit.MINUTES);
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
