package io.mqttra.broker.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Unit tests of the topic matching rules of MQTT section 4.7, on the tree alone. */
class SubscriptionTreeTest {

    /** A subscriber whose connection and room a test sets; connected and with room unless told otherwise. */
    private static final class Member implements Subscriber {
        private final String clientId;
        volatile boolean connected = true;
        volatile boolean room = true;
        volatile int backlog;

        Member(String clientId) {
            this.clientId = clientId;
        }

        @Override
        public String clientId() {
            return clientId;
        }

        @Override
        public boolean isConnected() {
            return connected;
        }

        @Override
        public boolean hasRoom() {
            return room;
        }

        @Override
        public int backlog() {
            return backlog;
        }

        @Override
        public boolean isPersistent() {
            return false;
        }

        @Override
        public void offer(RoutedMessage message) {}
    }

    private final SubscriptionTree tree = new SubscriptionTree();

    private void subscribe(String client, String filter) {
        SharedFilter shared = SharedFilter.parse(filter);
        tree.add(new Subscription(
                new Member(client),
                shared == null ? filter : shared.filter(),
                shared == null ? null : shared.group(),
                1,
                false,
                false,
                0,
                0));
    }

    private List<String> match(String topic) {
        List<Subscription> direct = new ArrayList<>();
        List<SubscriptionTree.SharedGroup> groups = new ArrayList<>();
        tree.match(topic, direct, groups);
        List<String> out = new ArrayList<>();
        direct.forEach(s -> out.add(s.subscriber().clientId() + ":" + s.filter()));
        groups.forEach(g -> out.add("$share/" + g.name() + ":" + g.filter()));
        return out;
    }

    @Test
    void multiLevelWildcard_matchesParentAndChildren_MQTT_4_7_1_2() {
        subscribe("a", "sport/tennis/player1/#");
        assertThat(match("sport/tennis/player1")).containsExactly("a:sport/tennis/player1/#");
        assertThat(match("sport/tennis/player1/ranking")).hasSize(1);
        assertThat(match("sport/tennis/player1/score/wimbledon")).hasSize(1);
        assertThat(match("sport/tennis/player2")).isEmpty();
    }

    @Test
    void singleLevelWildcard_matchesOneLevelOnly_MQTT_4_7_1_3() {
        subscribe("a", "sport/tennis/+");
        subscribe("b", "sport/+");
        subscribe("c", "+/+");
        subscribe("d", "/+");
        assertThat(match("sport/tennis/player1")).containsExactly("a:sport/tennis/+");
        assertThat(match("sport/tennis/player1/ranking")).isEmpty();
        assertThat(match("sport")).isEmpty();
        assertThat(match("sport/")).containsExactlyInAnyOrder("b:sport/+", "c:+/+");
        assertThat(match("/finance")).containsExactlyInAnyOrder("c:+/+", "d:/+");
    }

    @Test
    void dollarTopics_notMatchedByWildcardsAtFirstLevel_MQTT_4_7_2_1() {
        subscribe("a", "#");
        subscribe("b", "+/monitor/Clients");
        subscribe("c", "$SYS/#");
        subscribe("d", "$SYS/monitor/+");
        assertThat(match("$SYS/monitor/Clients")).containsExactlyInAnyOrder("c:$SYS/#", "d:$SYS/monitor/+");
        assertThat(match("other/monitor/Clients")).containsExactlyInAnyOrder("a:#", "b:+/monitor/Clients");
    }

    @Test
    void topicLevelsAreCaseSensitive_andEmptyLevelsCount_MQTT_4_7_3_4() {
        subscribe("a", "ACCOUNTS");
        subscribe("b", "a//b");
        assertThat(match("accounts")).isEmpty();
        assertThat(match("ACCOUNTS")).hasSize(1);
        assertThat(match("a//b")).hasSize(1);
        assertThat(match("a/b")).isEmpty();
    }

    @Test
    void sameClientSameFilter_replacesSubscription_MQTT_3_8_4_3() {
        assertThat(tree.add(new Subscription(new Member("a"), "x", null, 0, false, false, 0, 0)))
                .isTrue();
        assertThat(tree.add(new Subscription(new Member("a"), "x", null, 2, false, false, 0, 0)))
                .isFalse();
        assertThat(tree.size()).isEqualTo(1);
        List<Subscription> direct = new ArrayList<>();
        tree.match("x", direct, new ArrayList<>());
        assertThat(direct).singleElement().extracting(Subscription::qos).isEqualTo(2);
    }

    @Test
    void sharedGroups_matchOncePerGroup_andRemoveMembers() {
        subscribe("a", "$share/g1/jobs/+");
        subscribe("b", "$share/g1/jobs/+");
        subscribe("c", "$share/g2/jobs/#");
        assertThat(match("jobs/1")).containsExactlyInAnyOrder("$share/g1:jobs/+", "$share/g2:jobs/#");
        assertThat(tree.remove("a", "jobs/+", "g1")).isTrue();
        assertThat(tree.remove("b", "jobs/+", "g1")).isTrue();
        assertThat(match("jobs/1")).containsExactly("$share/g2:jobs/#");
        assertThat(tree.size()).isEqualTo(1);
    }

    /** Client ids of {@code n} picks in a row. */
    private static List<String> picks(SubscriptionTree.SharedGroup group, String exclude, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Subscription s = group.pick(exclude);
            out.add(s == null ? null : s.subscriber().clientId());
        }
        return out;
    }

    @Test
    void sharedPick_prefersConnectedMembersWithRoom_thenConnectedWithout_thenOffline_roundRobinWithinEach() {
        Member full = new Member("full");
        Member free1 = new Member("free1");
        Member free2 = new Member("free2");
        Member offline = new Member("offline");
        for (Member m : List.of(full, free1, free2, offline)) {
            tree.add(new Subscription(m, "jobs", "g", 1, false, false, 0, 0));
        }
        SubscriptionTree.SharedGroup group = tree.sharedGroup("jobs", "g");
        full.room = false;
        offline.connected = false;
        // Evenly among the members with room, whatever their places among the others.
        List<String> picked = picks(group, null, 400);
        assertThat(Collections.frequency(picked, "free1")).isEqualTo(200);
        assertThat(Collections.frequency(picked, "free2")).isEqualTo(200);
        assertThat(picks(group, "free1", 10)).containsOnly("free2");

        free1.room = false;
        free2.room = false;
        assertThat(group.anyRoom()).isFalse();
        picked = picks(group, null, 300);
        for (String m : List.of("full", "free1", "free2")) {
            assertThat(Collections.frequency(picked, m)).as(m).isEqualTo(100);
        }
        // Every connected member is full: the least loaded one takes the message (and holds the publisher).
        full.backlog = 900;
        free1.backlog = 520;
        free2.backlog = 700;
        assertThat(picks(group, null, 10)).containsOnly("free1");
        assertThat(picks(group, "free1", 10)).containsOnly("free2");
        full.backlog = 0;
        free1.backlog = 0;
        free2.backlog = 0;

        full.connected = false;
        free1.connected = false;
        free2.connected = false;
        picked = picks(group, null, 400);
        for (String m : List.of("full", "free1", "free2", "offline")) {
            assertThat(Collections.frequency(picked, m)).as(m).isEqualTo(100);
        }
        assertThat(picks(group, "offline", 9)).containsOnly("full", "free1", "free2");

        free2.connected = true;
        free2.room = true;
        assertThat(group.anyRoom()).isTrue();
        assertThat(picks(group, null, 10)).containsOnly("free2");
    }

    @Test
    void subscribeAndUnsubscribe100kUniqueFilters_treeReturnsToItsBaseline() {
        subscribe("keep", "devices/+/status");
        subscribe("keep", "devices/#");
        int baseline = tree.nodeCount();
        for (int i = 0; i < 100_000; i++) {
            subscribe(
                    "c" + i,
                    i % 2 == 0 ? "devices/dev-" + i + "/cmd/set" : "$share/g" + i + "/devices/dev-" + i + "/+");
        }
        assertThat(tree.nodeCount()).isGreaterThan(baseline + 100_000);
        for (int i = 0; i < 100_000; i++) {
            boolean removed = i % 2 == 0
                    ? tree.remove("c" + i, "devices/dev-" + i + "/cmd/set", null)
                    : tree.remove("c" + i, "devices/dev-" + i + "/+", "g" + i);
            assertThat(removed).isTrue();
        }
        assertThat(tree.nodeCount()).isEqualTo(baseline);
        assertThat(tree.size()).isEqualTo(2);
        assertThat(match("devices/dev-7/status")).containsExactlyInAnyOrder("keep:devices/+/status", "keep:devices/#");
    }

    @Test
    void pruningKeepsNodesThatStillHoldSubscriptionsOrChildren() {
        subscribe("a", "a/b");
        subscribe("b", "a/b/c/d");
        assertThat(tree.remove("b", "a/b/c/d", null)).isTrue();
        assertThat(tree.nodeCount()).isEqualTo(2); // a, a/b: c and d went
        assertThat(match("a/b")).containsExactly("a:a/b");
        subscribe("b", "a/b/c/d");
        assertThat(tree.remove("a", "a/b", null)).isTrue();
        assertThat(tree.nodeCount()).isEqualTo(4); // a/b stays: it leads to a/b/c/d
        assertThat(match("a/b/c/d")).containsExactly("b:a/b/c/d");
        assertThat(tree.remove("b", "a/b/c/d", null)).isTrue();
        assertThat(tree.nodeCount()).isZero();
    }

    /**
     * Subscribers churn on filters whose nodes overlap (one prunes what another is about to extend) while a
     * matcher runs: every subscription in place is found, none lands in a pruned node, and the tree ends as it began.
     */
    @Test
    void concurrentMatchWhileChurnPrunes_findsEverySubscriptionInPlace() throws Exception {
        subscribe("keep-1", "fleet/+/status");
        subscribe("keep-2", "fleet/truck-1/#");
        int baseline = tree.nodeCount();
        String[][] churn = {
            {"deep", "fleet/truck-1/status/engine/temp"},
            {"mid", "fleet/truck-1/status/engine"},
            {"shallow", "fleet/truck-1/status"},
        };
        List<ChurnRace.Round> writers = new ArrayList<>();
        for (String[] c : churn) {
            writers.add((i, failures) -> {
                subscribe(c[0], c[1]);
                if (!match(c[1]).contains(c[0] + ":" + c[1])) {
                    failures.add(c[0] + " subscribed but not matched in round " + i);
                }
                if (!tree.remove(c[0], c[1], null)) {
                    failures.add(c[0] + " subscribed but not removable in round " + i);
                }
            });
        }
        assertThat(ChurnRace.run(100_000, writers, failures -> {
                    List<String> m = match("fleet/truck-1/status");
                    if (!m.contains("keep-1:fleet/+/status") || !m.contains("keep-2:fleet/truck-1/#")) {
                        failures.add("a match missed a permanent subscription: " + m);
                    }
                }))
                .isEmpty();
        assertThat(tree.size()).isEqualTo(2);
        assertThat(tree.nodeCount()).isEqualTo(baseline);
    }

    @Test
    void filterValidation_MQTT_4_7_1_2_and_4_7_1_3() {
        assertThat(Topics.isValidFilter("sport/tennis/#")).isTrue();
        assertThat(Topics.isValidFilter("#")).isTrue();
        assertThat(Topics.isValidFilter("+")).isTrue();
        assertThat(Topics.isValidFilter("sport/tennis#")).isFalse();
        assertThat(Topics.isValidFilter("sport/tennis/#/ranking")).isFalse();
        assertThat(Topics.isValidFilter("sport+")).isFalse();
        assertThat(Topics.isValidFilter("")).isFalse(); // [MQTT-4.7.3-1]
        assertThat(Topics.isValidTopicName("a/+")).isFalse(); // [MQTT-3.3.2-2]
        assertThat(Topics.isValidTopicName("a\u0000b")).isFalse(); // [MQTT-1.5.3-2]
        assertThat(SharedFilter.parse("$share/g/a/#")).isEqualTo(new SharedFilter("g", "a/#"));
        assertThat(SharedFilter.parse("$share//a")).isNull(); // [MQTT-4.8.2-1]
        assertThat(SharedFilter.parse("$share/g+/a")).isNull(); // [MQTT-4.8.2-2]
        assertThat(SharedFilter.parse("$share/g")).isNull();
    }
}
