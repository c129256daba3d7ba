package io.mqttra.broker.auth;

/**
 * Decides which topics a principal may publish to, subscribe to and receive from.
 *
 * <p>Asked once per connection, right after authentication; the returned {@link TopicPermissions} answers the
 * per-packet questions for the life of that connection.
 */
@FunctionalInterface
public interface Authorizer {

    /**
     * @param principal the authenticated principal (or {@link MqttPrincipal#ANONYMOUS})
     * @param clientId  the connection's client identifier, for {@code %c} rules
     */
    TopicPermissions permissions(MqttPrincipal principal, String clientId);

    /** No ACLs: every principal may do everything. */
    static Authorizer permitAll() {
        return new Authorizer() {
            @Override
            public TopicPermissions permissions(MqttPrincipal principal, String clientId) {
                return TopicPermissions.ALL;
            }

            @Override
            public String toString() { // the start-up log says who may do what
                return "no ACL (every topic)";
            }
        };
    }
}
