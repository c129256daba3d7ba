package io.mqttra.broker.auth;

import java.util.HashMap;
import java.util.Map;

/**
 * The topic filters of one connection's ACL rules, arranged by topic level, each carrying {@link Access} bits.
 * A lookup walks the levels of one topic (or requested filter) instead of testing every rule, so its cost
 * depends on the depth of the topic, not on the number of rules.
 *
 * <p>Built once, then only read: safe to share between threads after construction.
 */
final class FilterTrie {

    private final Node root = new Node();
    private int size;

    /** Adds a rule; the filter must be a valid topic filter. */
    void add(String filter, int bits) {
        Node n = root;
        int start = 0;
        while (true) {
            int end = filter.indexOf('/', start);
            String level = end < 0 ? filter.substring(start) : filter.substring(start, end);
            if (level.equals("#")) {
                n.hashBits |= bits;
                break;
            }
            n = level.equals("+")
                    ? (n.plus == null ? (n.plus = new Node()) : n.plus)
                    : n.children().computeIfAbsent(level, k -> new Node());
            if (end < 0) {
                n.bits |= bits;
                break;
            }
            start = end + 1;
        }
        size++;
    }

    int size() {
        return size;
    }

    /**
     * The bits of every rule whose filter matches the topic name. Wildcards in the first level do not match
     * topic names that start with '$' [MQTT-4.7.2-1].
     */
    int match(String topic) {
        return match(root, topic, 0, topic.startsWith("$"));
    }

    private static int match(Node n, String topic, int start, boolean dollarAtRoot) {
        int bits = dollarAtRoot ? 0 : n.hashBits; // "a/#" also matches "a" itself [MQTT-4.7.1-2]
        if (start > topic.length()) {
            return bits | n.bits;
        }
        int end = topic.indexOf('/', start);
        if (end < 0) {
            end = topic.length();
        }
        if (n.children != null) {
            Node child = n.children.get(topic.substring(start, end));
            if (child != null) {
                bits |= match(child, topic, end + 1, false);
            }
        }
        if (n.plus != null && !dollarAtRoot) {
            bits |= match(n.plus, topic, end + 1, false);
        }
        return bits;
    }

    /**
     * The bits of every rule whose filter covers the requested filter, i.e. matches every topic the requested
     * filter can match: {@code sensors/#} covers {@code sensors/+/temp}; {@code sensors/+} does not cover
     * {@code sensors/#}.
     */
    int covering(String filter) {
        return covering(root, filter, 0, filter.startsWith("$"));
    }

    private static int covering(Node n, String filter, int start, boolean dollarAtRoot) {
        int bits = dollarAtRoot ? 0 : n.hashBits;
        if (start > filter.length()) {
            return bits | n.bits;
        }
        int end = filter.indexOf('/', start);
        if (end < 0) {
            end = filter.length();
        }
        String level = filter.substring(start, end);
        if (level.equals("#")) {
            return bits; // only a '#' rule at this level covers a '#' request
        }
        if (!level.equals("+") && n.children != null) {
            Node child = n.children.get(level);
            if (child != null) {
                bits |= covering(child, filter, end + 1, false);
            }
        }
        if (n.plus != null && !dollarAtRoot) {
            bits |= covering(n.plus, filter, end + 1, false);
        }
        return bits;
    }

    private static final class Node {
        Map<String, Node> children;
        Node plus;
        int bits;
        int hashBits;

        Map<String, Node> children() {
            if (children == null) {
                children = new HashMap<>(4);
            }
            return children;
        }
    }
}
