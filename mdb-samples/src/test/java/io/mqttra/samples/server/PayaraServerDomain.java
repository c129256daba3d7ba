package io.mqttra.samples.server;

import io.mqttra.it.TestDirs;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Payara Server domain for one test class, made by {@code server-config/payara-server/setup-domain.sh} (the script
 * operators run) with every port free at the time, and stopped when the class is done.
 *
 * <p>The broker is set up as for devices on a network: CONNECT user names and passwords are checked against the
 * domain's file realm, where the script creates one user (a fresh random password each run), the listener is on
 * every interface, and a TLS listener presents the domain's own certificate.
 *
 * <p>Register it before {@code ArquillianExtension}: Arquillian's remote container reads the admin port from the
 * system property {@code adminPort} when it boots, which happens in its own {@code beforeAll}. JUnit calls the
 * {@code afterAll} of the first registered extension last, so the domain is stopped after Arquillian undeployed.
 */
public final class PayaraServerDomain implements BeforeAllCallback, AfterAllCallback {

    private static final Logger LOG = Logger.getLogger(PayaraServerDomain.class.getName());
    private static final String DOMAIN_NAME = "mqtt-it";
    /** Minutes on an idle machine; a machine shared by parallel builds has taken five. */
    private static final long SETUP_TIMEOUT_MINUTES = 10;

    private static final long STOP_TIMEOUT_MINUTES = 2;
    private static final long ASADMIN_TIMEOUT_MINUTES = 4;
    static final String MQTT_USER = "device-1";

    private static volatile PayaraServerDomain current;

    private final Path workDir = Path.of(required("it.server.dir"));
    private final Path domainDir = workDir.resolve("domains");
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final String mqttPassword = "pw-" + UUID.randomUUID();
    private Thread killOnExit;

    /** The domain of the running test class. */
    static PayaraServerDomain current() {
        PayaraServerDomain domain = current;
        if (domain == null) {
            throw new IllegalStateException("PayaraServerDomain is not registered on the test class");
        }
        return domain;
    }

    int adminPort() {
        return ports.get("ADMIN_PORT");
    }

    int mqttPort() {
        return ports.get("MQTT_PORT");
    }

    int tlsPort() {
        return ports.get("MQTT_TLS_PORT");
    }

    String mqttPassword() {
        return mqttPassword;
    }

    Path workDir() {
        return workDir;
    }

    Path serverLog() {
        return domainDir.resolve(DOMAIN_NAME).resolve("logs").resolve("server.log");
    }

    /** The domain's key store, whose key {@code s1as} the HTTPS listener presents. */
    Path keyStore() {
        return domainDir.resolve(DOMAIN_NAME).resolve("config").resolve("keystore.p12");
    }

    /**
     * Changes a property of the resource adapter config and restarts the domain, which restarts the adapter with it
     * (the adapter reads its properties when it starts).
     */
    void restartWithAdapterProperty(String name, String value) throws IOException, InterruptedException {
        Path log = workDir.resolve("reconfigure.log");
        asadmin(
                log,
                "--interactive=false",
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(adminPort()),
                "set",
                "resources.resource-adapter-config.mqtt-ra.property." + name + "=" + value);
        asadmin(
                log,
                "restart-domain",
                "--timeout",
                Long.toString(TimeUnit.MINUTES.toSeconds(ASADMIN_TIMEOUT_MINUTES) - 20),
                "--domaindir",
                domainDir.toString(),
                DOMAIN_NAME);
    }

    private void asadmin(Path log, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(required("it.server.payaraHome"), "bin", "asadmin").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(name -> name.startsWith("MQTT_"));
        await(builder.start(), String.join(" ", args), log, ASADMIN_TIMEOUT_MINUTES);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        reservePorts(
                "ADMIN_PORT",
                "HTTP_PORT",
                "HTTPS_PORT",
                "IIOP_PORT",
                "IIOPS_PORT",
                "IIOP_MUTUALAUTH_PORT",
                "JMS_PORT",
                "JMX_PORT",
                "OSGI_PORT",
                "DEBUG_PORT",
                "HAZELCAST_DAS_PORT",
                "HAZELCAST_START_PORT",
                "MQTT_PORT",
                "MQTT_TLS_PORT");
        TestDirs.deleteRecursively(
                workDir.resolve("data")); // retained messages of an earlier run would blur the results
        Files.createDirectories(workDir);

        Map<String, String> env = new LinkedHashMap<>();
        ports.forEach((name, port) -> env.put(name, Integer.toString(port)));
        env.put("PAYARA_HOME", required("it.server.payaraHome"));
        env.put("DOMAIN_DIR", domainDir.toString());
        env.put("DOMAIN_NAME", DOMAIN_NAME);
        env.put("MQTT_RA_DATA", workDir.resolve("data").toString());
        env.put("MQTT_RA_SKIP_BUILD", "1");
        env.put("MQTT_AUTH_MODE", "realm");
        env.put("MQTT_BIND_ADDRESS", "0.0.0.0");
        env.put("MQTT_USER", MQTT_USER);
        env.put("MQTT_USER_PASSWORD", mqttPassword);
        // A stuck asadmin command fails the script with its diagnosis well within SETUP_TIMEOUT_MINUTES.
        env.put("ASADMIN_TIMEOUT", "240");
        env.put("MQTT_RA_RAR", required("it.server.rar"));
        // Arquillian deploys the samples (the very mdb-samples.war of this build); the script does the rest.
        env.put("DEPLOY_SAMPLES", "0");
        Path consoleEar = Path.of(required("it.server.consoleEar"));
        if (Files.isRegularFile(consoleEar)) {
            env.put("MQTT_CONSOLE_EAR", consoleEar.toString());
        } else {
            LOG.warning("No console EAR at " + consoleEar + "; the domain runs without it");
            env.put("DEPLOY_CONSOLE", "0");
        }

        current = this;
        killOnExit = new Thread(this::killServerProcess, "payara-server-domain-guard");
        Runtime.getRuntime().addShutdownHook(killOnExit);
        long start = System.nanoTime();
        run(required("it.server.setupScript"), env, workDir.resolve("setup-domain.log"), SETUP_TIMEOUT_MINUTES);
        LOG.info(() -> String.format(
                "Payara Server domain ready in %d s, ports %s",
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), ports));

        System.setProperty("adminHost", "127.0.0.1");
        System.setProperty("adminPort", Integer.toString(adminPort()));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            Map<String, String> env = Map.of(
                    "PAYARA_HOME",
                    required("it.server.payaraHome"),
                    "DOMAIN_DIR",
                    domainDir.toString(),
                    "DOMAIN_NAME",
                    DOMAIN_NAME);
            run(required("it.server.stopScript"), env, workDir.resolve("stop-domain.log"), STOP_TIMEOUT_MINUTES);
        } finally {
            killServerProcess();
            if (killOnExit != null) {
                Runtime.getRuntime().removeShutdownHook(killOnExit);
            }
            current = null;
        }
    }

    /** The server runs detached from this JVM (start-domain daemonizes it): find it by the pid file the domain writes. */
    private void killServerProcess() {
        Path pidFile = domainDir.resolve(DOMAIN_NAME).resolve("config").resolve("pid");
        try {
            if (!Files.isRegularFile(pidFile)) {
                return;
            }
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(process -> {
                LOG.warning("Payara Server " + pid + " still runs after stop-domain; killing it");
                process.destroyForcibly();
            });
        } catch (IOException | NumberFormatException e) {
            LOG.warning("Cannot read " + pidFile + ": " + e);
        }
    }

    /** All ports are held open at once while they are picked, so that no two are the same. */
    private void reservePorts(String... names) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (String name : names) {
                ServerSocket socket = new ServerSocket(0);
                sockets.add(socket);
                ports.put(name, socket.getLocalPort());
            }
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    private static void run(String script, Map<String, String> env, Path log, long timeoutMinutes)
            throws IOException, InterruptedException {
        ProcessBuilder builder =
                new ProcessBuilder("bash", script).redirectErrorStream(true).redirectOutput(log.toFile());
        // The adapter reads MQTT_* variables as overrides: only the ones given here may reach the domain.
        builder.environment().keySet().removeIf(name -> name.startsWith("MQTT_"));
        builder.environment().putAll(env);
        await(builder.start(), script, log, timeoutMinutes);
    }

    private static void await(Process process, String what, Path log, long timeoutMinutes)
            throws IOException, InterruptedException {
        if (!process.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IllegalStateException(what + " did not finish in " + timeoutMinutes + " min; see " + log);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(
                    what + " failed (exit " + process.exitValue() + "):\n" + tail(log, 60) + "\nsee " + log);
        }
    }

    private static String tail(Path file, int lines) throws IOException {
        List<String> all = Files.readAllLines(file);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("System property " + property + " is not set (run through Maven failsafe)");
        }
        return value;
    }
}
