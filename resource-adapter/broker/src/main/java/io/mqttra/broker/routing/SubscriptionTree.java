package io.mqttra.broker.routing;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every subscription of the broker, in a tree with one node per topic level, so that a PUBLISH visits only
 * the branches its topic can match instead of every subscription.
 *
 * <p>Matching takes no lock: nodes hold concurrent maps, so publishers on different event loops match in
 * parallel while sessions subscribe and unsubscribe, and a match sees each subscription either before or after
 * a concurrent change.
 *
 * <p>A node left without subscriptions and children is pruned, so that churn of unique filters (one per device)
 * does not grow the tree for ever; {@link TopicNode} gives the locking rules that keep a match from missing a
 * subscription while nodes are pruned.
 */
public final class SubscriptionTree {

    private final Node root = new Node();
    private final LongAdder count = new LongAdder();

    /** Adds or replaces (same client, same filter, same share group) a subscription [MQTT-3.8.4-3]. Returns true if new. */
    public boolean add(Subscription s) {
        String[] levels = Topics.levels(s.filter());
        while (true) {
            Node node = root.linkedNode(levels, Node::new);
            if (node == null) {
                continue; // a node on the way was pruned meanwhile
            }
            Subscription previous;
            synchronized (node) {
                if (node.removed) {
                    continue;
                }
                if (s.shareGroup() == null) {
                    previous = node.subscriptions.put(s.subscriber().clientId(), s);
                } else {
                    SharedGroup group =
                            node.shared.computeIfAbsent(s.shareGroup(), g -> new SharedGroup(g, s.filter()));
                    previous = group.members.put(s.subscriber().clientId(), s);
                    group.refresh();
                }
            }
            if (previous == null) {
                count.increment();
            }
            return previous == null;
        }
    }

    /** Removes the subscription of a client on a filter, and the nodes it leaves empty; true if there was one. */
    public boolean remove(String clientId, String filter, String shareGroup) {
        String[] levels = Topics.levels(filter);
        Node node = root.find(levels);
        if (node == null) {
            return false;
        }
        Subscription removed;
        synchronized (node) {
            if (shareGroup == null) {
                removed = node.subscriptions.remove(clientId);
            } else {
                SharedGroup group = node.shared.get(shareGroup);
                removed = group == null ? null : group.members.remove(clientId);
                if (removed != null) {
                    group.refresh();
                    if (group.members.isEmpty()) {
                        node.shared.remove(shareGroup, group);
                    }
                }
            }
        }
        if (removed == null) {
            return false;
        }
        count.decrement();
        root.prune(levels);
        return true;
    }

    /** Number of nodes below the root; for tests that check that pruning brings the tree back. */
    int nodeCount() {
        return root.countBelow();
    }

    /** The share group of a shared filter, or null. */
    public SharedGroup sharedGroup(String filter, String group) {
        Node node = root.find(Topics.levels(filter));
        return node == null ? null : node.shared.get(group);
    }

    /** Number of subscriptions (shared members included). */
    public long size() {
        return count.sum();
    }

    /**
     * Finds every subscription matching a topic name. Non-shared subscriptions are added to {@code direct};
     * each matching share group once to {@code groups}.
     */
    public void match(String topic, List<Subscription> direct, List<SharedGroup> groups) {
        String[] levels = Topics.levels(topic);
        // [MQTT-4.7.2-1] a wildcard at the first level does not match a topic starting with '$'
        boolean dollar = topic.startsWith("$");
        match(root, levels, 0, dollar, direct, groups);
    }

    private static void match(
            Node node,
            String[] levels,
            int depth,
            boolean dollar,
            List<Subscription> direct,
            List<SharedGroup> groups) {
        boolean wildcardsAllowed = !(dollar && depth == 0);
        if (wildcardsAllowed) {
            // '#' also matches the parent level [MQTT-4.7.1-2]: "sport/#" matches "sport"
            Node hash = node.children.get("#");
            if (hash != null) {
                collect(hash, direct, groups);
            }
        }
        if (depth == levels.length) {
            collect(node, direct, groups);
            return;
        }
        Node exact = node.children.get(levels[depth]);
        if (exact != null) {
            match(exact, levels, depth + 1, dollar, direct, groups);
        }
        if (wildcardsAllowed) {
            Node plus = node.children.get("+");
            if (plus != null) {
                match(plus, levels, depth + 1, dollar, direct, groups);
            }
        }
    }

    private static void collect(Node node, List<Subscription> direct, List<SharedGroup> groups) {
        if (!node.subscriptions.isEmpty()) {
            direct.addAll(node.subscriptions.values());
        }
        if (!node.shared.isEmpty()) {
            for (SharedGroup g : node.shared.values()) {
                if (!g.members.isEmpty()) {
                    groups.add(g);
                }
            }
        }
    }

    private static final class Node extends TopicNode<Node> {
        final ConcurrentHashMap<String, Subscription> subscriptions = new ConcurrentHashMap<>(2);
        final ConcurrentHashMap<String, SharedGroup> shared = new ConcurrentHashMap<>(1);

        @Override
        boolean holdsNothing() {
            return subscriptions.isEmpty() && shared.isEmpty();
        }
    }

    /** The members of one share name on one filter; each message goes to one of them (MQTT 5.0 section 4.8.2). */
    public static final class SharedGroup {
        private final String name;
        private final String filter;
        private final ConcurrentHashMap<String, Subscription> members = new ConcurrentHashMap<>();
        private final AtomicInteger next = new AtomicInteger();
        /** Members as an array, rebuilt when membership changes, so that picking allocates nothing. */
        private volatile Subscription[] snapshot = new Subscription[0];

        SharedGroup(String name, String filter) {
            this.name = name;
            this.filter = filter;
        }

        public String name() {
            return name;
        }

        public String filter() {
            return filter;
        }

        public Collection<Subscription> members() {
            return members.values();
        }

        /**
         * Picks the member for the next message from the first class that has one: connected members with room
         * (round robin), connected members without room (the one with the smallest backlog, round robin among
         * equals), offline members (round robin). A slow member is thus routed around while another can take the
         * message (MQTT 5.0 section 4.8.2 leaves the choice of member to the server), and a message does not wait
         * in an offline session's queue while a connected member could take it. When every connected member is
         * full the publisher waits for the pick ({@code Router}): the least loaded member is the one whose queue
         * is furthest from its limit, and a fast member drained down does not wait behind a slow one's turn.
         * {@code exclude} (may be null) is skipped, for redistribution away from a leaving member.
         */
        public Subscription pick(String exclude) {
            Subscription[] all = snapshot;
            int n = all.length;
            if (n == 0) {
                return null;
            }
            int turn = next.getAndIncrement();
            int start = Math.floorMod(turn, n);
            int withoutRoom = -1;
            int leastBacklog = Integer.MAX_VALUE;
            int offline = -1;
            for (int i = 0; i < n; i++) {
                Subscriber member = all[(start + i) % n].subscriber();
                if (exclude != null && member.clientId().equals(exclude)) {
                    continue;
                }
                if (!member.isConnected()) {
                    offline = offline < 0 ? i : offline;
                } else if (member.hasRoom()) {
                    return picked(all, turn, start, i);
                } else {
                    int backlog = member.backlog();
                    if (backlog < leastBacklog) {
                        leastBacklog = backlog;
                        withoutRoom = i;
                    }
                }
            }
            int i = withoutRoom >= 0 ? withoutRoom : offline;
            return i < 0 ? null : picked(all, turn, start, i);
        }

        /**
         * The next pick starts after the member picked at offset {@code i} from {@code start}, so that members
         * passed over do not hand their turn to the one after them (round robin within the class picked from).
         * Best effort: a concurrent pick wins, and only costs evenness.
         */
        private Subscription picked(Subscription[] all, int turn, int start, int i) {
            if (i > 0) {
                next.compareAndSet(turn + 1, turn + 1 + i);
            }
            return all[(start + i) % all.length];
        }

        /** True when some connected member has room: then a message for the group holds no publisher back. */
        public boolean anyRoom() {
            for (Subscription s : snapshot) {
                if (s.subscriber().isConnected() && s.subscriber().hasRoom()) {
                    return true;
                }
            }
            return false;
        }

        synchronized void refresh() {
            snapshot = members.values().toArray(new Subscription[0]);
        }
    }
}
