package io.mqttra.ra.security;

import io.mqttra.broker.auth.AclAuthorizer;
import io.mqttra.broker.auth.AclFile;
import io.mqttra.broker.auth.Authenticator;
import io.mqttra.broker.auth.PasswordFileAuthenticator;
import io.mqttra.broker.config.BrokerConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.logging.Logger;

/**
 * The resource adapter's security properties, turned into the broker's authenticator, ACLs and listener
 * address. Secure by default: without authentication the listener is forced onto loopback unless the
 * operator explicitly allows unauthenticated clients from the network.
 *
 * @param mode                        where passwords are checked
 * @param realmName                   realm for {@link AuthMode#REALM} (default {@code file})
 * @param requiredGroup               realm group every MQTT user needs (default {@code mqtt-users}); blank: any realm user
 * @param passwordFile                file for {@link AuthMode#PASSWORD_FILE}
 * @param aclFile                     Mosquitto-style ACL file; null or blank: authenticated clients may use every topic
 * @param sysAdminOnly                only {@code adminRole} may read {@code $SYS}
 * @param adminRole                   role (realm group) of the broker's administrators (default {@code mqtt-admins})
 * @param allowUnauthenticatedNetwork with mode none, keep a non-loopback bind address anyway
 * @param allowAnonymous              with authentication, still let in clients that send no user name (they get the
 *                                    ACL file's anonymous section; like Mosquitto's {@code allow_anonymous})
 * @param loginFailureDelayMillis     delay of the first refused login from an address, doubling per further failure
 * @param maxLoginFailureDelayMillis  cap on that delay
 */
public record SecuritySettings(
        AuthMode mode,
        String realmName,
        String requiredGroup,
        String passwordFile,
        String aclFile,
        boolean sysAdminOnly,
        String adminRole,
        boolean allowUnauthenticatedNetwork,
        boolean allowAnonymous,
        long loginFailureDelayMillis,
        long maxLoginFailureDelayMillis) {

    private static final Logger LOG = Logger.getLogger(SecuritySettings.class.getName());

    public static final String DEFAULT_REALM = "file";
    public static final String DEFAULT_REQUIRED_GROUP = "mqtt-users";
    public static final String DEFAULT_ADMIN_ROLE = "mqtt-admins";

    /** Settings with every default: no authentication, loopback only. */
    public static SecuritySettings defaults() {
        return new SecuritySettings(
                AuthMode.NONE,
                DEFAULT_REALM,
                DEFAULT_REQUIRED_GROUP,
                null,
                null,
                false,
                DEFAULT_ADMIN_ROLE,
                false,
                false,
                500,
                10_000);
    }

    /**
     * Configures authentication, ACLs, the $SYS guard, login throttling and the effective bind address.
     *
     * @param configuredBindAddress the address the operator configured
     * @param authThreads           runs password checks (the WorkManager): never the event loop
     * @throws IllegalArgumentException naming the property when a setting is missing or wrong (the adapter then
     *                                  fails to start rather than run open)
     */
    public BrokerConfig.Builder applyTo(
            BrokerConfig.Builder builder, String configuredBindAddress, Executor authThreads) {
        builder.authenticator(authenticator(authThreads))
                .authorizer(hasText(aclFile) ? new AclAuthorizer(AclFile.load(existing(aclFile, "aclFile"))) : null)
                .sysAdminOnly(sysAdminOnly)
                .adminRole(hasText(adminRole) ? adminRole : DEFAULT_ADMIN_ROLE)
                .loginFailureDelayMillis(loginFailureDelayMillis, maxLoginFailureDelayMillis)
                .bindAddress(effectiveBindAddress(configuredBindAddress));
        return builder;
    }

    /** The authenticator for the mode, or null for {@link AuthMode#NONE}. */
    Authenticator authenticator(Executor authThreads) {
        Authenticator checked = switch (mode) {
            case NONE -> null;
            case REALM ->
                new RealmAuthenticator(hasText(realmName) ? realmName : DEFAULT_REALM, requiredGroup, authThreads);
            case PASSWORD_FILE -> new PasswordFileAuthenticator(existing(passwordFile, "passwordFile"), authThreads);
        };
        return checked != null && allowAnonymous ? checked.allowingAnonymous() : checked;
    }

    /**
     * The address the listener may use: with no authentication, a non-loopback address is replaced by
     * 127.0.0.1 unless {@code allowUnauthenticatedNetwork} is set. Either way the decision is logged.
     */
    public String effectiveBindAddress(String configured) {
        String address = hasText(configured) ? configured.strip() : "127.0.0.1";
        if (mode != AuthMode.NONE) {
            LOG.config(() -> "MQTT authentication: " + describe()); // the broker logs who may connect at start
            return address;
        }
        if (isLoopback(address)) {
            LOG.info(() -> "MQTT authentication is off (authMode=none): listening on loopback " + address
                    + " only, so only clients on this machine can connect");
            return address;
        }
        if (allowUnauthenticatedNetwork) {
            LOG.warning(
                    () -> "MQTT authentication is off (authMode=none) and the listener is on " + address
                            + " because allowUnauthenticatedNetwork=true: anyone who reaches this address can publish and subscribe");
            return address;
        }
        LOG.warning(
                () -> "MQTT authentication is off (authMode=none): listening on 127.0.0.1 instead of the configured "
                        + address
                        + "; configure authMode=realm or password-file, or set allowUnauthenticatedNetwork=true");
        return "127.0.0.1";
    }

    private String describe() {
        String who = switch (mode) {
            case REALM ->
                "realm " + (hasText(realmName) ? realmName : DEFAULT_REALM)
                        + (hasText(requiredGroup) ? ", group " + requiredGroup : "");
            case PASSWORD_FILE -> "password file " + passwordFile;
            case NONE -> "none";
        };
        return who
                + (hasText(aclFile) ? ", ACL file " + aclFile : ", no ACL file: every topic allowed")
                + (sysAdminOnly ? ", $SYS only for " + adminRole : "")
                + (allowAnonymous ? ", anonymous clients allowed" : "");
    }

    private static Path existing(String file, String property) {
        if (!hasText(file)) {
            throw new IllegalArgumentException(property + " must name a file");
        }
        Path p = Path.of(file.strip());
        if (!Files.isReadable(p)) {
            throw new IllegalArgumentException(property + " " + p + " does not exist or is not readable");
        }
        return p;
    }

    private static boolean hasText(String s) {
        return s != null && !s.isBlank();
    }

    static boolean isLoopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
