package io.mqttra.broker.auth;

import java.util.Set;

/**
 * Who a connection acts for once its CONNECT was accepted: a user name (null for an anonymous client) and the
 * roles (groups of the identity store) that ACLs refer to.
 */
public record MqttPrincipal(String name, Set<String> roles) {

    /** A client that presented no user name and was let in anyway. */
    public static final MqttPrincipal ANONYMOUS = new MqttPrincipal(null, Set.of());

    public MqttPrincipal {
        roles = roles == null ? Set.of() : Set.copyOf(roles);
    }

    public static MqttPrincipal user(String name, Set<String> roles) {
        return new MqttPrincipal(java.util.Objects.requireNonNull(name, "name"), roles);
    }

    public boolean isAnonymous() {
        return name == null;
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    @Override
    public String toString() {
        return isAnonymous() ? "anonymous" : "'" + name + "'" + (roles.isEmpty() ? "" : " " + roles);
    }
}
