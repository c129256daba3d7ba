package io.mqttra.broker.auth;

/**
 * What one connection may do, compiled once at CONNECT for its principal and client id, so that the checks on
 * the message path are a lookup rather than a scan of the rule set. Implementations are safe for use from
 * any thread.
 */
public interface TopicPermissions {

    /** May the client PUBLISH to this topic name? */
    boolean canPublish(String topic);

    /** May the client SUBSCRIBE to this topic filter (without any {@code $share/group/} prefix)? */
    boolean canSubscribe(String filter);

    /** May a message on this topic be delivered to the client (checked per delivery, after subscribe)? */
    boolean canReceive(String topic);

    /** Everything permitted: the broker without ACLs. */
    TopicPermissions ALL = new TopicPermissions() {
        @Override
        public boolean canPublish(String topic) {
            return true;
        }

        @Override
        public boolean canSubscribe(String filter) {
            return true;
        }

        @Override
        public boolean canReceive(String topic) {
            return true;
        }

        @Override
        public String toString() {
            return "all topics";
        }
    };
}
