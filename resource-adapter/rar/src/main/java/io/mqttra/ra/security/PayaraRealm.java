package io.mqttra.ra.security;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reaches a security realm of the Payara server (file, JDBC, LDAP, PAM, ... as configured under
 * {@code security-service}) through reflection, so the RAR has no compile dependency on Payara internals.
 *
 * <p>Verified in Payara Micro 6.2025.10: {@code com.sun.enterprise.security.auth.realm.Realm} is visible from a
 * standalone RAR's class loader; {@code Realm.getInstance("file").authenticate(user, char[])} returns the
 * user's groups (as given by {@code asadmin create-file-user --groups a:b}) or null for an unknown user or a
 * wrong password, on a WorkManager thread, with no login context needed. LDAP realms offer
 * {@code findAndBind(user, char[])} instead, which throws a LoginException on a bad password.
 */
final class PayaraRealm {

    static final String REALM_CLASS = "com.sun.enterprise.security.auth.realm.Realm";
    private static final String[] CHECK_METHODS = {"authenticate", "findAndBind"};

    /** The outcome of one check: the groups, or null for bad credentials. */
    record Check(String[] groups) {
        boolean accepted() {
            return groups != null;
        }
    }

    /** The realm cannot be used (missing, not a password realm, server internals changed). */
    static final class UnavailableException extends Exception {
        UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final String realmName;
    private final Method getInstance;
    private final ConcurrentHashMap<Class<?>, Method> checkMethods = new ConcurrentHashMap<>();

    /**
     * @throws UnavailableException when the server has no realm API (not running inside Payara / GlassFish)
     */
    PayaraRealm(String realmName, ClassLoader loader) throws UnavailableException {
        this(realmName, loader, REALM_CLASS);
    }

    /** With another realm registry class (a static {@code getInstance(String)}), for unit tests. */
    PayaraRealm(String realmName, ClassLoader loader, String realmClass) throws UnavailableException {
        this.realmName = realmName;
        try {
            Class<?> realm = Class.forName(realmClass, true, loader);
            this.getInstance = realm.getMethod("getInstance", String.class);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new UnavailableException(
                    "the server's security realms are not reachable (" + realmClass
                            + " not found: is this Payara or GlassFish?)",
                    e);
        }
    }

    String name() {
        return realmName;
    }

    /**
     * Checks the password. Looks the realm up on every call, because the server replaces the instance when an
     * administrator changes the realm's configuration.
     */
    Check check(String user, char[] password) throws UnavailableException {
        Object realm;
        try {
            realm = getInstance.invoke(null, realmName);
        } catch (InvocationTargetException e) {
            throw new UnavailableException(
                    "no security realm named '" + realmName + "': "
                            + e.getCause().getMessage(),
                    e.getCause());
        } catch (IllegalAccessException e) {
            throw new UnavailableException("security realm '" + realmName + "' not accessible", e);
        }
        Method m = checkMethods.computeIfAbsent(realm.getClass(), PayaraRealm::findCheckMethod);
        if (m == null) {
            throw new UnavailableException(
                    "security realm '" + realmName + "' (" + realm.getClass().getName() + ") cannot check passwords",
                    null);
        }
        try {
            return new Check((String[]) m.invoke(realm, user, password));
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof javax.security.auth.login.LoginException) {
                return new Check(null); // LDAP: bind failed, i.e. wrong password or unknown user
            }
            throw new UnavailableException("security realm '" + realmName + "' failed: " + e.getCause(), e.getCause());
        } catch (IllegalAccessException e) {
            throw new UnavailableException("security realm '" + realmName + "' not accessible", e);
        }
    }

    private static Method findCheckMethod(Class<?> type) {
        for (String name : CHECK_METHODS) {
            try {
                Method m = type.getMethod(name, String.class, char[].class);
                if (m.getReturnType() == String[].class) {
                    return m;
                }
            } catch (NoSuchMethodException e) {
                // try the next name
            }
        }
        return null;
    }
}
