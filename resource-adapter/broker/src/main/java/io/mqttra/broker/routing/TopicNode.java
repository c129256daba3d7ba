package io.mqttra.broker.routing;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A node of a tree with one node per topic level, which is pruned when it holds nothing, so that churn of
 * unique topics or filters (one per device) does not grow the tree for ever. {@link SubscriptionTree} and
 * {@link RetainedMessages} share it; what a node holds is theirs.
 *
 * <p>Readers walk {@link #children} without locks. Only writers coordinate, each on the nodes it touches (no
 * global lock):
 * <ul>
 * <li>a node is unlinked from its parent only while both are locked (parent first), only when it is empty, and
 *     is marked removed at the same time;</li>
 * <li>a child is created only under its parent's lock, and only in a parent not marked removed;</li>
 * <li>content is added to a node only under its lock, and only to a node not marked removed; otherwise the
 *     writer starts again from the root.</li>
 * </ul>
 * Together: a removed node never gets a child again, so a node not marked removed is still linked all the way
 * up, and content is never added to a node that a reader cannot reach. Writers lock top-down (a pruner holds
 * parent then child, an adder one node at a time), so they cannot deadlock. A reader running through a node
 * while it is pruned finds it empty, which is what it was.
 *
 * @param <N> the concrete node type, so that children need no casts
 */
abstract class TopicNode<N extends TopicNode<N>> {

    final ConcurrentHashMap<String, N> children = new ConcurrentHashMap<>(4);
    /** Unlinked from its parent; written and read under this node's lock. */
    boolean removed;

    /** Whether the node holds no content of its own; called with its lock held, so no writer changes it. */
    abstract boolean holdsNothing();

    /**
     * The node below this one (the root) at the given levels, created where missing; null when one on the way
     * turned out removed, and the caller must start again. The caller adds its content under the returned
     * node's lock, after checking that it is still not removed.
     */
    final N linkedNode(String[] levels, Supplier<N> newNode) {
        @SuppressWarnings("unchecked")
        N node = (N) this;
        for (String level : levels) {
            N child = node.children.get(level);
            if (child == null) {
                synchronized (node) {
                    if (node.removed) {
                        return null;
                    }
                    child = node.children.computeIfAbsent(level, l -> newNode.get());
                }
            }
            node = child;
        }
        return node;
    }

    /** The node below this one at the given levels, or null. */
    final N find(String[] levels) {
        @SuppressWarnings("unchecked")
        N node = (N) this;
        for (String level : levels) {
            node = node.children.get(level);
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    /**
     * Unlinks the empty nodes at the end of the path below this one (the root), deepest first, until one is
     * still in use. Call after taking content out of the node at the end of the path.
     */
    final void prune(String[] levels) {
        TopicNode<?>[] path = new TopicNode<?>[levels.length + 1];
        path[0] = this;
        int depth = 0;
        while (depth < levels.length) {
            TopicNode<?> child = path[depth].children.get(levels[depth]);
            if (child == null) {
                break; // pruned meanwhile below here, by another writer
            }
            path[++depth] = child;
        }
        for (; depth > 0; depth--) {
            TopicNode<?> parent = path[depth - 1];
            TopicNode<?> node = path[depth];
            synchronized (parent) {
                synchronized (node) {
                    if (node.removed || !node.children.isEmpty() || !node.holdsNothing()) {
                        return;
                    }
                    node.removed = true;
                    parent.children.remove(levels[depth - 1], node);
                }
            }
        }
    }

    /** Number of nodes below this one; for tests that check that pruning brings a tree back. */
    final int countBelow() {
        int n = 0;
        for (N child : children.values()) {
            n += 1 + child.countBelow();
        }
        return n;
    }
}
