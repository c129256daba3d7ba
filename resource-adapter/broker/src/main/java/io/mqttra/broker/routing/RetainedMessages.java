package io.mqttra.broker.routing;

import io.mqttra.broker.ApplicationMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The retained message of each topic, in a tree by topic level so that a new subscription finds the
 * retained messages its filter matches without scanning them all.
 *
 * <p>Matching takes no lock (except to drop an expired message it comes across), so a subscription finds every
 * retained message in place while others are stored and deleted. A node left without a message and children is
 * pruned, so that retained topics that come and go (one per device, deleted with an empty payload) do not grow
 * the tree for ever; {@link TopicNode} gives the locking rules that keep a match from missing a message while
 * nodes are pruned.
 */
public final class RetainedMessages {

    /** A retained message and when it was received, to honour its message expiry interval. */
    public record Retained(ApplicationMessage message, long receivedAtNanos) {
        boolean isExpired(long now) {
            Long interval = message.properties().messageExpiryInterval();
            return interval != null && now - receivedAtNanos >= interval * 1_000_000_000L;
        }
    }

    private final Node root = new Node();
    private final LongAdder count = new LongAdder();

    /**
     * Stores or deletes the retained message of a topic: an empty payload deletes it [MQTT-3.3.1-10]
     * [MQTT-3.3.1-11]; otherwise the new message replaces the old one whatever its QoS [MQTT-3.3.1-5] [MQTT-3.3.1-7].
     */
    public void apply(ApplicationMessage message, long receivedAtNanos) {
        if (message.payload().length == 0) {
            remove(message.topic());
        } else {
            put(new Retained(message, receivedAtNanos));
        }
    }

    public void put(Retained retained) {
        String[] levels = Topics.levels(retained.message().topic());
        while (true) {
            Node node = root.linkedNode(levels, Node::new);
            if (node == null) {
                continue; // a node on the way was pruned meanwhile
            }
            synchronized (node) {
                if (node.removed) {
                    continue;
                }
                if (node.retained == null) {
                    count.increment();
                }
                node.retained = retained;
                return;
            }
        }
    }

    public void remove(String topic) {
        take(topic, null);
    }

    /**
     * Takes the retained message of a topic out of the tree, and then the nodes that leaves empty. With
     * {@code expected}, only if that is still the message: an expired one must not take a newer one with it.
     */
    private void take(String topic, Retained expected) {
        String[] levels = Topics.levels(topic);
        Node node = root.find(levels);
        if (node == null) {
            return;
        }
        synchronized (node) {
            Retained current = node.retained;
            if (current == null || expected != null && current != expected) {
                return;
            }
            node.retained = null;
            count.decrement();
        }
        root.prune(levels);
    }

    public long size() {
        return count.sum();
    }

    /** The unexpired retained messages whose topic matches a (non-shared) filter. */
    public List<Retained> match(String filter) {
        List<Retained> out = new ArrayList<>();
        String[] levels = Topics.levels(filter);
        collect(root, levels, 0, out, System.nanoTime());
        return out;
    }

    private void collect(Node node, String[] levels, int depth, List<Retained> out, long now) {
        if (depth == levels.length) {
            addIfLive(node, out, now);
            return;
        }
        String level = levels[depth];
        if (level.equals("#")) {
            // "a/#" matches "a" itself [MQTT-4.7.1-2]
            addIfLive(node, out, now);
            for (var e : node.children.entrySet()) {
                if (depth == 0 && e.getKey().startsWith("$")) {
                    continue; // [MQTT-4.7.2-1]
                }
                addAll(e.getValue(), out, now);
            }
        } else if (level.equals("+")) {
            for (var e : node.children.entrySet()) {
                if (depth == 0 && e.getKey().startsWith("$")) {
                    continue; // [MQTT-4.7.2-1]
                }
                collect(e.getValue(), levels, depth + 1, out, now);
            }
        } else {
            Node child = node.children.get(level);
            if (child != null) {
                collect(child, levels, depth + 1, out, now);
            }
        }
    }

    private void addAll(Node node, List<Retained> out, long now) {
        addIfLive(node, out, now);
        for (Node child : node.children.values()) {
            addAll(child, out, now);
        }
    }

    private void addIfLive(Node node, List<Retained> out, long now) {
        Retained r = node.retained;
        if (r != null) {
            if (r.isExpired(now)) {
                take(r.message().topic(), r);
            } else {
                out.add(r);
            }
        }
    }

    /** Number of nodes below the root; for tests that check that pruning brings the tree back. */
    int nodeCount() {
        return root.countBelow();
    }

    private static final class Node extends TopicNode<Node> {
        /** Written under this node's lock; read without it by matches. */
        volatile Retained retained;

        @Override
        boolean holdsNothing() {
            return retained == null;
        }
    }
}
