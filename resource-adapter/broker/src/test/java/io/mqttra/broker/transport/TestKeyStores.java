package io.mqttra.broker.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Throwaway key material made with the JDK's keytool: a self-signed server certificate for 127.0.0.1 /
 * localhost (as PKCS12 and JKS, plus its PEM for mosquitto's --cafile), a client key pair, and the trust
 * stores each side needs.
 */
final class TestKeyStores {

    static final String PASSWORD = "changeit";

    final Path dir;
    final Path serverP12;
    final Path serverJks;
    final Path serverPem;
    final Path clientP12;
    /** Trust store of the broker: the client certificate. */
    final Path brokerTrust;
    /** Trust store of the clients: the server certificate. */
    final Path clientTrust;

    private TestKeyStores(Path dir) {
        this.dir = dir;
        this.serverP12 = dir.resolve("server.p12");
        this.serverJks = dir.resolve("server.jks");
        this.serverPem = dir.resolve("server.pem");
        this.clientP12 = dir.resolve("client.p12");
        this.brokerTrust = dir.resolve("broker-trust.p12");
        this.clientTrust = dir.resolve("client-trust.p12");
    }

    static TestKeyStores create(Path dir) throws IOException, InterruptedException {
        TestKeyStores k = new TestKeyStores(dir);
        k.genKeyPair(k.serverP12, "broker", "CN=localhost", "PKCS12", "SAN=ip:127.0.0.1,dns:localhost");
        // The same key and certificate in a JKS store, so one client trust store fits both.
        k.keytool(
                "-importkeystore",
                "-srckeystore",
                k.serverP12.toString(),
                "-srcstoretype",
                "PKCS12",
                "-srcstorepass",
                PASSWORD,
                "-destkeystore",
                k.serverJks.toString(),
                "-deststoretype",
                "JKS",
                "-deststorepass",
                PASSWORD,
                "-destkeypass",
                PASSWORD,
                "-noprompt");
        k.keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "broker",
                "-keystore",
                k.serverP12.toString(),
                "-storepass",
                PASSWORD,
                "-file",
                k.serverPem.toString());
        k.keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "broker",
                "-file",
                k.serverPem.toString(),
                "-keystore",
                k.clientTrust.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                PASSWORD);
        k.genKeyPair(k.clientP12, "client", "CN=device-1", "PKCS12", null);
        Path clientPem = dir.resolve("client.pem");
        k.keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "client",
                "-keystore",
                k.clientP12.toString(),
                "-storepass",
                PASSWORD,
                "-file",
                clientPem.toString());
        k.keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "client",
                "-file",
                clientPem.toString(),
                "-keystore",
                k.brokerTrust.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                PASSWORD);
        return k;
    }

    /**
     * The server key next to another one (as in an application server's store, Payara: s1as and
     * glassfish-instance), in a new store; clients trust only the server key.
     */
    Path serverAndAnotherKey() throws IOException, InterruptedException {
        Path store = dir.resolve("two-keys.p12");
        if (!Files.exists(store)) {
            genKeyPair(store, "another", "CN=another", "PKCS12", null);
            keytool(
                    "-importkeystore",
                    "-srckeystore",
                    serverP12.toString(),
                    "-srcstoretype",
                    "PKCS12",
                    "-srcstorepass",
                    PASSWORD,
                    "-destkeystore",
                    store.toString(),
                    "-deststoretype",
                    "PKCS12",
                    "-deststorepass",
                    PASSWORD,
                    "-noprompt");
        }
        return store;
    }

    private void genKeyPair(Path store, String alias, String dname, String type, String san)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(
                "-genkeypair",
                "-alias",
                alias,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                dname,
                "-validity",
                "2",
                "-keystore",
                store.toString(),
                "-storetype",
                type,
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD));
        if (san != null) {
            args.add("-ext");
            args.add(san);
        }
        keytool(args.toArray(String[]::new));
    }

    private void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }

    static KeyStore load(Path path, String type) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(path)) {
            KeyStore ks = KeyStore.getInstance(type);
            ks.load(in, PASSWORD.toCharArray());
            return ks;
        }
    }

    TrustManagerFactory clientTrustManagers() throws IOException, GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(clientTrust, "PKCS12"));
        return tmf;
    }

    KeyManagerFactory clientKeyManagers() throws IOException, GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(load(clientP12, "PKCS12"), PASSWORD.toCharArray());
        return kmf;
    }

    /** A client-side SSLContext trusting the broker, optionally presenting the client certificate. */
    SSLContext clientSslContext(boolean withClientCertificate) throws IOException, GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(
                withClientCertificate ? clientKeyManagers().getKeyManagers() : null,
                clientTrustManagers().getTrustManagers(),
                null);
        return ctx;
    }
}
