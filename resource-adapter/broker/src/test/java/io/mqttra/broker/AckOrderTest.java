package io.mqttra.broker;

import static io.mqttra.broker.PubSubTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqttra.broker.config.BrokerConfig;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** PUBACKs leave in PUBLISH order even when an earlier message waits for a congested subscriber. */
class AckOrderTest extends BrokerTestSupport {

    @Override
    protected BrokerConfig.Builder config() {
        return super.config().maxInflight(1).maxQueuedMessages(4);
    }

    @Test
    void pubacksInPublishOrder_whileEarlierMessageWaitsForSlowConsumer_MQTT_4_6_0_2() throws Exception {
        BlockingQueue<Delivery> held = new LinkedBlockingQueue<>();
        try (LocalSession slow = broker.openLocalSession("slow-mdb", held::add)) {
            slow.subscribe("slow", 1, 0);
            for (int i = 0; i < 4; i++) { // 1 in flight + 3 queued: above half of the queue limit
                broker.publish(new ApplicationMessage("slow", bytes("fill" + i), 1, false, null))
                        .join();
                // One at a time: an internal publish that found the queue already congested would wait for it
                // (and, as nobody drains it, the hold would expire before the network publisher below came).
                int queued = i;
                await().atMost(Duration.ofSeconds(5)).until(() -> held.size() == 1 && queued("slow-mdb") == queued);
            }
            try (RawClient r = raw()) {
                r.send(RawClient.connect311("ordered-pub", true, 60));
                r.readPacket();
                r.send(RawClient.publish(1, false, "slow", 1, bytes("a")));
                r.send(RawClient.publish(1, false, "fast", 2, bytes("b"))); // nobody subscribes: durable at once
                assertThat(r.silentFor(500)).isTrue(); // no PUBACK yet: not even for packet 2
                // the consumer catches up: its queue drains and both PUBACKs leave, in order
                for (int i = 0; i < 5; i++) {
                    Delivery d = held.poll(5, TimeUnit.SECONDS);
                    assertThat(d).isNotNull();
                    d.acknowledge();
                }
                assertThat(r.readPacket()).containsExactly(0x40, 2, 0, 1);
                assertThat(r.readPacket()).containsExactly(0x40, 2, 0, 2);
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
}
