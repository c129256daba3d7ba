package io.mqttra.broker;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.nio.ByteBuffer;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Numbered traffic through real MQTT 5 clients, shared by the tests of the engine and of its stores (this module's
 * test jar): a payload is a 4-byte sequence number, so that a loss, a duplicate or a reordering shows at once.
 */
public final class TestTraffic {

    private static final int WINDOW = 200;

    private TestTraffic() {}

    /**
     * Publishes QoS 1 messages numbered from 1 to {@code stream/0} … {@code stream/7}, at most 200 unacknowledged,
     * until {@code streaming} turns false; returns when every one is acknowledged.
     */
    public static void streamQos1(int port, AtomicBoolean streaming, AtomicInteger published) {
        Mqtt5AsyncClient pub = Mqtt5Client.builder()
                .identifier("streamer")
                .serverHost("127.0.0.1")
                .serverPort(port)
                .buildAsync();
        pub.connect().join();
        Semaphore window = new Semaphore(WINDOW);
        try {
            while (streaming.get()) {
                window.acquire();
                int n = published.incrementAndGet();
                pub.publishWith()
                        .topic("stream/" + (n % 8))
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .payload(ByteBuffer.allocate(4).putInt(n).array())
                        .send()
                        .whenComplete((r, e) -> window.release());
            }
            window.acquire(WINDOW);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pub.disconnect().join();
    }

    /**
     * Connects {@code subscriber} with a new session kept 600 s after it disconnects, subscribes it to the stream of
     * {@link #streamQos1} at QoS 1 and waits up to 10 s until it has received {@code count} messages.
     *
     * @return the number received by then
     */
    public static int takeFromStream(Mqtt5AsyncClient subscriber, int count) throws Exception {
        AtomicInteger taken = new AtomicInteger();
        subscriber.publishes(MqttGlobalPublishFilter.ALL, p -> taken.incrementAndGet());
        subscriber
                .connectWith()
                .cleanStart(true)
                .sessionExpiryInterval(600)
                .send()
                .get(10, TimeUnit.SECONDS);
        subscriber
                .subscribeWith()
                .topicFilter("stream/#")
                .qos(MqttQos.AT_LEAST_ONCE)
                .send()
                .get(10, TimeUnit.SECONDS);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (taken.get() < count && System.nanoTime() < until) {
            Thread.sleep(1);
        }
        return taken.get();
    }

    /**
     * A receiver of numbered messages that expects them in order, each once, from {@code next}'s value on
     * [MQTT-4.6.0-6]: {@code next} follows the last one received, {@code wrong} keeps the first deviation.
     */
    public static Consumer<Mqtt5Publish> inOrderOnce(AtomicInteger next, AtomicReference<String> wrong) {
        return p -> {
            int seq = ByteBuffer.wrap(p.getPayloadAsBytes()).getInt();
            if (seq != next.get()) {
                wrong.compareAndSet(null, "expected " + next.get() + ", got " + seq);
            }
            next.set(seq + 1);
        };
    }
}
