package io.mqttra.broker.auth;

import java.util.Objects;

/**
 * Keeps the broker's {@code $SYS} topics to an admin role: only principals with that role may subscribe to or
 * receive them (whatever the ACL says), and no one else may publish under {@code $SYS}. Everything else is
 * left to the wrapped authorizer.
 */
public final class SysTopicGuard implements Authorizer {

    private final Authorizer delegate;
    private final String adminRole;

    public SysTopicGuard(Authorizer delegate, String adminRole) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.adminRole = Objects.requireNonNull(adminRole, "adminRole");
    }

    static boolean isSys(String topicOrFilter) {
        return topicOrFilter.startsWith("$SYS") && (topicOrFilter.length() == 4 || topicOrFilter.charAt(4) == '/');
    }

    @Override
    public TopicPermissions permissions(MqttPrincipal principal, String clientId) {
        TopicPermissions inner = delegate.permissions(principal, clientId);
        boolean admin = principal.hasRole(adminRole);
        return new TopicPermissions() {
            @Override
            public boolean canPublish(String topic) {
                return isSys(topic) ? admin && inner.canPublish(topic) : inner.canPublish(topic);
            }

            @Override
            public boolean canSubscribe(String filter) {
                return isSys(filter) ? admin : inner.canSubscribe(filter);
            }

            @Override
            public boolean canReceive(String topic) {
                return isSys(topic) ? admin : inner.canReceive(topic);
            }

            @Override
            public String toString() {
                return inner + (admin ? " + $SYS (admin)" : ", no $SYS");
            }
        };
    }

    @Override
    public String toString() {
        return delegate + ", $SYS only for role " + adminRole;
    }
}
