package io.mqttra.samples.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/** The Mosquitto command-line clients (Debian mosquitto-clients) and keytool, as an operator would use them. */
final class Mosquitto {

    private static final Path MOSQUITTO_SUB = Path.of("/usr/bin/mosquitto_sub");

    private Mosquitto() {}

    static boolean available() {
        return Files.isExecutable(MOSQUITTO_SUB);
    }

    /** Exports a key's certificate as PEM, the form mosquitto's {@code --cafile} reads. */
    static Path exportCertificate(Path keyStore, String alias, String storePassword, Path pem)
            throws IOException, InterruptedException {
        Files.deleteIfExists(pem);
        Result result = run(
                Duration.ofSeconds(60),
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-exportcert",
                "-rfc",
                "-alias",
                alias,
                "-keystore",
                keyStore.toString(),
                "-storepass",
                storePassword,
                "-file",
                pem.toString());
        if (result.exitCode() != 0) {
            throw new IllegalStateException("keytool -exportcert failed: " + result.output());
        }
        return pem;
    }

    /** The CN of a PEM certificate: the host name a TLS client must connect to for the name check to pass. */
    static String commonName(Path pem) throws IOException, CertificateException, InvalidNameException {
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pem)));
        for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
            if (rdn.getType().equalsIgnoreCase("CN")) {
                return rdn.getValue().toString();
            }
        }
        throw new IllegalStateException("no CN in " + certificate.getSubjectX500Principal());
    }

    /**
     * {@code mosquitto_sub --cafile} for one message over TLS; its output ({@code -v}: topic and payload) or, when
     * it failed, its exit code and error.
     */
    static Result subscribeOnce(
            String host, int port, Path caFile, String user, String password, String topic, Duration wait)
            throws IOException, InterruptedException {
        return run(
                wait.plusSeconds(10),
                MOSQUITTO_SUB.toString(),
                "-h",
                host,
                "-p",
                Integer.toString(port),
                "--cafile",
                caFile.toString(),
                "-u",
                user,
                "-P",
                password,
                "-t",
                topic,
                "-q",
                "1",
                "-v",
                "-C",
                "1",
                "-W",
                Long.toString(wait.toSeconds()));
    }

    private static Result run(Duration timeout, String... command) throws IOException, InterruptedException {
        Process process =
                new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try {
                lines.addAll(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                        .lines()
                        .toList());
            } catch (IOException e) {
                lines.add("(output unreadable: " + e + ")");
            }
        });
        reader.start();
        boolean finished = process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        reader.join(5_000);
        return new Result(finished ? process.exitValue() : -1, String.join("\n", lines));
    }

    record Result(int exitCode, String output) {}
}
