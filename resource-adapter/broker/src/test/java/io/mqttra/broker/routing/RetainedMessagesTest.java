package io.mqttra.broker.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttra.api.PublishProperties;
import io.mqttra.broker.ApplicationMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Unit tests of the retained-message tree alone: matching, deletion, and pruning of the nodes deletion empties. */
class RetainedMessagesTest {

    private final RetainedMessages retained = new RetainedMessages();

    private void put(String topic, String payload) {
        retained.apply(
                new ApplicationMessage(topic, payload.getBytes(StandardCharsets.UTF_8), 1, true, null),
                System.nanoTime());
    }

    /** An empty retained payload deletes the retained message of its topic [MQTT-3.3.1-10] [MQTT-3.3.1-11]. */
    private void delete(String topic) {
        retained.apply(new ApplicationMessage(topic, new byte[0], 1, true, null), System.nanoTime());
    }

    private List<String> match(String filter) {
        List<String> out = new ArrayList<>();
        for (RetainedMessages.Retained r : retained.match(filter)) {
            out.add(r.message().topic() + "=" + new String(r.message().payload(), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void putAndDelete100kUniqueTopics_MQTT_3_3_1_10_treeReturnsToItsBaseline() {
        put("devices/gateway", "up");
        put("devices/gateway/status", "ok");
        int baseline = retained.nodeCount();
        for (int i = 0; i < 100_000; i++) {
            put(i % 2 == 0 ? "devices/dev-" + i + "/status" : "devices/dev-" + i + "/telemetry/temp", "v" + i);
        }
        assertThat(retained.size()).isEqualTo(100_002);
        assertThat(retained.nodeCount()).isGreaterThan(baseline + 100_000);
        for (int i = 0; i < 100_000; i++) {
            delete(i % 2 == 0 ? "devices/dev-" + i + "/status" : "devices/dev-" + i + "/telemetry/temp");
        }
        assertThat(retained.nodeCount()).isEqualTo(baseline);
        assertThat(retained.size()).isEqualTo(2);
        assertThat(match("devices/#")).containsExactlyInAnyOrder("devices/gateway=up", "devices/gateway/status=ok");
    }

    @Test
    void pruningKeepsNodesThatStillHoldMessagesOrChildren() {
        put("a/b", "1");
        put("a/b/c/d", "2");
        delete("a/b/c/d");
        assertThat(retained.nodeCount()).isEqualTo(2); // a, a/b: c and d went
        assertThat(match("a/#")).containsExactly("a/b=1");
        put("a/b/c/d", "3");
        delete("a/b");
        assertThat(retained.nodeCount()).isEqualTo(4); // a/b stays: it leads to a/b/c/d
        assertThat(match("a/+/+/+")).containsExactly("a/b/c/d=3");
        delete("a/b/c/d");
        assertThat(retained.nodeCount()).isZero();
        assertThat(retained.size()).isZero();
        delete("a/b/c/d"); // deleting what is not there changes nothing
        assertThat(retained.size()).isZero();
    }

    @Test
    void anExpiredMessageThatAMatchComesAcrossIsDroppedWithItsNodes_MQTT_3_3_2_5() {
        put("keep/this", "k");
        int baseline = retained.nodeCount();
        PublishProperties expiresIn1s =
                PublishProperties.builder().messageExpiryInterval(1).build();
        long twoSecondsAgo = System.nanoTime() - TimeUnit.SECONDS.toNanos(2);
        retained.apply(
                new ApplicationMessage("gone/after/expiry", new byte[] {1}, 1, true, expiresIn1s), twoSecondsAgo);
        assertThat(retained.size()).isEqualTo(2);
        assertThat(match("#")).containsExactly("keep/this=k");
        assertThat(retained.size()).isEqualTo(1);
        assertThat(retained.nodeCount()).isEqualTo(baseline);
    }

    /**
     * Devices churn retained messages on topics whose nodes overlap (one deletes and prunes what another is about
     * to extend) while a subscriber matches: each message in place is found, none lands in a pruned node (where
     * no match would see it again), a deleted one is gone, and the tree ends as it began.
     */
    @Test
    void concurrentMatchWhileChurnPrunes_findsEveryMessageInPlace() throws Exception {
        put("fleet/truck-1", "parked");
        put("fleet/truck-2/status", "driving");
        int baseline = retained.nodeCount();
        String[] churn = {"fleet/truck-1/status/engine/temp", "fleet/truck-1/status/engine", "fleet/truck-1/status"};
        List<ChurnRace.Round> writers = new ArrayList<>();
        for (String topic : churn) {
            writers.add((i, failures) -> {
                put(topic, "r" + i);
                List<String> found = match(topic);
                if (!found.equals(List.of(topic + "=r" + i))) {
                    failures.add(topic + " stored but not matched in round " + i + ": " + found);
                }
                delete(topic);
                if (!match(topic).isEmpty()) {
                    failures.add(topic + " deleted but still matched in round " + i);
                }
            });
        }
        assertThat(ChurnRace.run(100_000, writers, failures -> {
                    List<String> m = match("fleet/#");
                    if (!m.contains("fleet/truck-1=parked") || !m.contains("fleet/truck-2/status=driving")) {
                        failures.add("a match missed a message in place: " + m);
                    }
                }))
                .isEmpty();
        assertThat(retained.size()).isEqualTo(2);
        assertThat(retained.nodeCount()).isEqualTo(baseline);
        assertThat(match("fleet/+/status")).containsExactly("fleet/truck-2/status=driving");
    }
}
