package io.mqttra.ra.security;

import java.util.Arrays;

/**
 * Stands in for Payara's realm registry ({@code com.sun.enterprise.security.auth.realm.Realm}) in unit tests of
 * {@link RealmAuthenticator}: the same reflective shape (static {@code getInstance(String)}, a realm with
 * {@code String[] authenticate(String, char[])}), verified against the real one in Payara Micro 6.2025.10.
 */
public final class StandInRealms {

    /** Thrown for an unknown realm, like Payara's NoSuchRealmException. */
    public static final class NoSuchRealmException extends Exception {
        NoSuchRealmException(String message) {
            super(message);
        }
    }

    public static Object getInstance(String name) throws NoSuchRealmException {
        return switch (name) {
            case "file" -> new FileLike();
            case "ldap" -> new LdapLike();
            case "cert" -> new Object();
            default -> throw new NoSuchRealmException("Realm " + name + " does not exists.");
        };
    }

    /** Like FileRealm: groups, or null for an unknown user or a wrong password. */
    public static final class FileLike {
        public String[] authenticate(String user, char[] password) {
            if (user.equals("alice") && Arrays.equals(password, "secret".toCharArray())) {
                return new String[] {"mqtt-users", "mqtt-admins"};
            }
            if (user.equals("carol") && Arrays.equals(password, "pw".toCharArray())) {
                return new String[] {"accounting"};
            }
            return null;
        }
    }

    /** Like LDAPRealm: findAndBind throws a LoginException for bad credentials. */
    public static final class LdapLike {
        public String[] findAndBind(String user, char[] password) throws javax.security.auth.login.LoginException {
            if (user.equals("dave") && Arrays.equals(password, "pw".toCharArray())) {
                return new String[] {"mqtt-users"};
            }
            throw new javax.security.auth.login.LoginException("bind failed");
        }
    }
}
