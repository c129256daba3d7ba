package io.mqttra.broker.auth;

/**
 * {@code $SYS} belongs to the broker: network clients may read it (as far as their ACL and {@link SysTopicGuard}
 * allow) but never publish under it, whatever the ACL grants. Otherwise any client could overwrite the broker's
 * retained figures, which monitors (and the $SYS sample bean) take for the broker's own. Mosquitto refuses such
 * publishes the same way.
 */
final class BrokerOwnedSys {

    private BrokerOwnedSys() {}

    static TopicPermissions readOnly(TopicPermissions inner) {
        return new TopicPermissions() {
            @Override
            public boolean canPublish(String topic) {
                return !SysTopicGuard.isSys(topic) && inner.canPublish(topic);
            }

            @Override
            public boolean canSubscribe(String filter) {
                return inner.canSubscribe(filter);
            }

            @Override
            public boolean canReceive(String topic) {
                return inner.canReceive(topic);
            }

            @Override
            public String toString() {
                return inner + ", $SYS read-only";
            }
        };
    }
}
