package io.mqttra.ra.tx;

import io.mqttra.broker.ApplicationMessage;
import java.util.List;
import java.util.logging.Logger;

/**
 * A test hook for the recovery test: halts the JVM (like {@code kill -9}) when a prepared branch that publishes to
 * the topic named by the system property {@value #PROPERTY} is about to be committed, i.e. after the transaction
 * manager logged its decision and before this resource manager committed. Unset (the default), it does nothing.
 */
final class CrashPoint {

    static final String PROPERTY = "mqttra.test.crashBeforeCommitTopic";

    private static final Logger LOG = Logger.getLogger(CrashPoint.class.getName());

    private CrashPoint() {
    }

    static void beforeCommit(TransactionBranch branch, List<ApplicationMessage> messages) {
        String topic = System.getProperty(PROPERTY);
        if (topic == null || topic.isEmpty()) {
            return;
        }
        for (ApplicationMessage m : messages) {
            if (m.topic().equals(topic)) {
                LOG.severe(() -> "Test crash point " + PROPERTY + "=" + topic + ": halting the JVM before committing "
                        + branch.xid());
                Runtime.getRuntime().halt(99);
            }
        }
    }
}
