package io.mqttra.ra.security;

import io.mqttra.broker.auth.AuthResult;
import io.mqttra.broker.auth.Authenticator;
import io.mqttra.broker.auth.Credentials;
import io.mqttra.broker.auth.MqttPrincipal;
import io.mqttra.broker.auth.Refusal;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.logging.Logger;

/**
 * Checks CONNECT user names and passwords against a security realm of the server (by default {@code file},
 * whose users an operator creates with {@code asadmin create-file-user --groups mqtt-users alice}). The
 * user's realm groups become the principal's roles, which ACL {@code role} sections and the {@code $SYS}
 * admin role refer to.
 *
 * <p>A realm may be slow (JDBC, LDAP), so every check runs on the given executor (the WorkManager), never on
 * the broker's event loop.
 */
public final class RealmAuthenticator implements Authenticator {

    private static final Logger LOG = Logger.getLogger(RealmAuthenticator.class.getName());

    private final PayaraRealm realm;
    private final Executor executor;
    private final String requiredRole;

    /**
     * @param realmName    the realm, e.g. {@code file}
     * @param requiredRole a group every MQTT user must have (e.g. {@code mqtt-users}), or null for any realm user
     * @param executor     runs the realm calls (the WorkManager)
     * @throws IllegalStateException when the server's realms cannot be reached at all
     */
    public RealmAuthenticator(String realmName, String requiredRole, Executor executor) {
        this(server(realmName), requiredRole, executor);
    }

    RealmAuthenticator(PayaraRealm realm, String requiredRole, Executor executor) {
        this.realm = Objects.requireNonNull(realm, "realm");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.requiredRole = requiredRole == null || requiredRole.isBlank() ? null : requiredRole;
    }

    private static PayaraRealm server(String realmName) {
        try {
            return new PayaraRealm(
                    Objects.requireNonNull(realmName, "realmName"), RealmAuthenticator.class.getClassLoader());
        } catch (PayaraRealm.UnavailableException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public CompletionStage<AuthResult> authenticate(Credentials credentials) {
        if (credentials.userName() == null) {
            return CompletableFuture.completedFuture(AuthResult.refused(Refusal.BAD_CREDENTIALS, "no user name"));
        }
        if (!credentials.hasPassword()) {
            return CompletableFuture.completedFuture(AuthResult.refused(Refusal.BAD_CREDENTIALS, "no password"));
        }
        return CompletableFuture.supplyAsync(() -> check(credentials), executor);
    }

    private AuthResult check(Credentials credentials) {
        char[] password = credentials.passwordChars();
        if (password == null) {
            return AuthResult.refused(Refusal.BAD_CREDENTIALS, "password is not UTF-8 text");
        }
        try {
            PayaraRealm.Check check = realm.check(credentials.userName(), password);
            if (!check.accepted()) {
                return AuthResult.refused(
                        Refusal.BAD_CREDENTIALS, "realm '" + realm.name() + "' refused the user name or password");
            }
            Set<String> roles = new LinkedHashSet<>(Arrays.asList(check.groups()));
            if (requiredRole != null && !roles.contains(requiredRole)) {
                return AuthResult.refused(Refusal.NOT_AUTHORIZED, "user is not in group '" + requiredRole + "'");
            }
            return AuthResult.granted(MqttPrincipal.user(credentials.userName(), roles));
        } catch (PayaraRealm.UnavailableException e) {
            LOG.warning(() -> "MQTT login of " + credentials + " could not be checked: " + e.getMessage());
            return AuthResult.refused(Refusal.UNAVAILABLE, e.getMessage());
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    @Override
    public String toString() {
        return "security realm '" + realm.name() + "'"
                + (requiredRole == null ? "" : " (group " + requiredRole + " required)");
    }
}
