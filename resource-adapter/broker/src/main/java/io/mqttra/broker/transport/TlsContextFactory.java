package io.mqttra.broker.transport;

import io.mqttra.broker.BrokerException;
import io.mqttra.broker.config.BrokerConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the server's TLS context once, at start, from the key store (and trust store for client
 * certificates) named in the configuration. Every TLS or WSS connection then only creates its engine.
 */
public final class TlsContextFactory {

    private TlsContextFactory() {}

    /**
     * @throws BrokerException naming the file and what is wrong with it, so a misconfigured listener fails
     *                         the start instead of every handshake
     */
    public static SslContext create(BrokerConfig config) {
        if (config.keyStorePath() == null || config.keyStorePath().isBlank()) {
            throw new BrokerException("TLS listener configured without a key store (keyStorePath)");
        }
        char[] keyPassword = password(config.keyStorePassword());
        KeyStore keys = load("key store", config.keyStorePath(), config.keyStoreType(), keyPassword);
        try {
            if (config.keyAlias() != null) {
                keys = onlyEntry(keys, config.keyAlias(), keyPassword, config.keyStorePath());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, keyPassword);
            SslContextBuilder b = SslContextBuilder.forServer(kmf)
                    .sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .clientAuth(
                            switch (config.clientAuth()) {
                                case NONE -> ClientAuth.NONE;
                                case WANT -> ClientAuth.OPTIONAL;
                                case NEED -> ClientAuth.REQUIRE;
                            });
            if (config.trustStorePath() != null && !config.trustStorePath().isBlank()) {
                KeyStore trust = load(
                        "trust store",
                        config.trustStorePath(),
                        config.trustStoreType(),
                        password(config.trustStorePassword()));
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
                b.trustManager(tmf);
            } else if (config.clientAuth() != BrokerConfig.ClientAuth.NONE) {
                throw new BrokerException(
                        "client certificates (" + config.clientAuth() + ") need a trust store (trustStorePath)");
            }
            return b.build();
        } catch (GeneralSecurityException | IOException e) {
            throw new BrokerException(
                    "cannot set up TLS from key store " + config.keyStorePath() + ": " + e.getMessage(), e);
        }
    }

    /**
     * A store with just the named key: an application server's store holds several (Payara: {@code s1as} and
     * {@code glassfish-instance}), and the JDK's key manager would otherwise pick any of them.
     */
    private static KeyStore onlyEntry(KeyStore keys, String alias, char[] password, String path)
            throws GeneralSecurityException, IOException {
        if (!keys.isKeyEntry(alias)) {
            throw new BrokerException("key store " + path + " has no key entry '" + alias + "'");
        }
        KeyStore.PasswordProtection protection = new KeyStore.PasswordProtection(password);
        KeyStore only = KeyStore.getInstance("PKCS12");
        only.load(null, password);
        only.setEntry(alias, keys.getEntry(alias, protection), protection);
        return only;
    }

    private static char[] password(String p) {
        return p == null ? new char[0] : p.toCharArray();
    }

    private static KeyStore load(String what, String path, String type, char[] password) {
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            KeyStore ks = KeyStore.getInstance(type);
            ks.load(in, password);
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new BrokerException(
                    "cannot read " + what + " " + path + " (type " + type + "): " + e.getMessage(), e);
        }
    }
}
