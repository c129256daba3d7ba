package io.mqttra.broker.routing;

import io.mqttra.broker.ApplicationMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The retained message of each topic, in a tree by topic level so that a new subscription finds the
 * retained messages its filter matches without scanning them all. Thread-safe, lock-free.
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
        Node node = root;
        for (String level : Topics.levels(retained.message().topic())) {
            node = node.children.computeIfAbsent(level, l -> new Node());
        }
        synchronized (node) {
            if (node.retained == null) {
                count.increment();
            }
            node.retained = retained;
        }
    }

    public void remove(String topic) {
        Node node = root;
        for (String level : Topics.levels(topic)) {
            node = node.children.get(level);
            if (node == null) {
                return;
            }
        }
        synchronized (node) {
            if (node.retained != null) {
                count.decrement();
                node.retained = null;
            }
        }
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
                remove(r.message().topic());
            } else {
                out.add(r);
            }
        }
    }

    private static final class Node {
        final ConcurrentHashMap<String, Node> children = new ConcurrentHashMap<>(4);
        volatile Retained retained;
    }
}
