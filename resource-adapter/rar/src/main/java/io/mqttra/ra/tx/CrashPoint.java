package io.mqttra.ra.tx;

import io.mqttra.broker.ApplicationMessage;
import java.util.List;
import java.util.logging.Logger;

/**
 * Test hooks that halt the JVM (like {@code kill -9}) inside the resource manager's commit, where no test can stop
 * the server from outside: {@link #BEFORE_COMMIT} after the commit was decided (the transaction manager logged it,
 * or a one-phase commit was recorded) and before anything was routed; {@link #AFTER_ROUTING} after the branch's
 * messages were durably routed and before its record was forgotten or its taken messages acknowledged (the window
 * in which a replayed commit must not route them again, nor the bean get its message again).
 *
 * <p>Why this stays in production code: both windows lie between two store writes of one {@code commit} call, and
 * the crash test runs the real adapter in a real Payara, which cannot be handed test-only wiring. It is inert
 * unless the JVM was started with {@code -D}{@value #ENABLE_PROPERTY}{@code =true}: {@link #ENABLED} is a static
 * final read once, so in production each hook is one constant check that the JIT removes. An enabled point is armed
 * with its system property naming a topic (settable at run time): the first branch that publishes to that topic
 * halts the JVM there.
 */
enum CrashPoint {
    BEFORE_COMMIT("mqttra.test.crashBeforeCommitTopic", "before committing"),
    AFTER_ROUTING("mqttra.test.crashAfterRoutingTopic", "after routing, before forgetting the record of");

    static final String ENABLE_PROPERTY = "mqttra.test.crashPoints";
    private static final boolean ENABLED = Boolean.getBoolean(ENABLE_PROPERTY);
    private static final Logger LOG = Logger.getLogger(CrashPoint.class.getName());

    private final String property;
    private final String where;

    CrashPoint(String property, String where) {
        this.property = property;
        this.where = where;
    }

    /** The system property that arms this point with a topic. */
    String property() {
        return property;
    }

    void reached(TransactionBranch branch, List<ApplicationMessage> messages) {
        if (!ENABLED) {
            return;
        }
        String topic = System.getProperty(property);
        if (topic == null || topic.isEmpty()) {
            return;
        }
        for (ApplicationMessage m : messages) {
            if (m.topic().equals(topic)) {
                LOG.severe(() -> "Test crash point " + property + "=" + topic + ": halting the JVM " + where + " "
                        + branch.xid());
                Runtime.getRuntime().halt(99);
            }
        }
    }
}
