package io.mqttra.ra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The application server's own key store, which the TLS listeners use when no key store of their own is configured:
 * then devices see the same certificate as the server's HTTPS listener, and an operator manages one certificate.
 *
 * <p>Payara (Server and Micro) names its store in the system property {@code javax.net.ssl.keyStore}
 * ({@code <domain>/config/keystore.p12}); its password is the master password, {@code changeit} unless the operator
 * changed it, and then given as {@code javax.net.ssl.keyStorePassword}. The store holds more than one key; the HTTPS
 * listener's is {@code s1as}.
 *
 * @param path     the store's file
 * @param password its password (also the key's)
 * @param type     {@code PKCS12} or {@code JKS}
 * @param alias    the key the listeners present
 */
record ServerKeyStore(String path, String password, String type, String alias) {

    static final String KEY_STORE = "javax.net.ssl.keyStore";
    static final String KEY_STORE_PASSWORD = "javax.net.ssl.keyStorePassword";
    static final String KEY_STORE_TYPE = "javax.net.ssl.keyStoreType";
    /** Payara's default master password, which also protects its key store. */
    static final String DEFAULT_PASSWORD = "changeit";
    /** Payara's HTTPS listeners present this key. */
    static final String DEFAULT_ALIAS = "s1as";

    /** The server's store as this JVM's system properties name it; empty when none is named or the file is missing. */
    static Optional<ServerKeyStore> find(UnaryOperator<String> systemProperties, String alias) {
        String path = systemProperties.apply(KEY_STORE);
        if (path == null || path.isBlank() || !Files.isReadable(Path.of(path))) {
            return Optional.empty();
        }
        String password = systemProperties.apply(KEY_STORE_PASSWORD);
        String type = systemProperties.apply(KEY_STORE_TYPE);
        return Optional.of(new ServerKeyStore(
                path,
                password == null ? DEFAULT_PASSWORD : password,
                type == null || type.isBlank() ? typeOf(path) : type,
                alias == null || alias.isBlank() ? DEFAULT_ALIAS : alias.strip()));
    }

    /** Payara writes {@code keystore.p12} (PKCS12) since 5.x and {@code keystore.jks} before. */
    private static String typeOf(String path) {
        return path.toLowerCase(Locale.ROOT).endsWith(".jks") ? "JKS" : "PKCS12";
    }

    @Override
    public String toString() { // never the password
        return "server key store " + path + " (" + type + ", key '" + alias + "')";
    }
}
