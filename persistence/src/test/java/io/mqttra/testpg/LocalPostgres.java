package io.mqttra.testpg;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server (Debian's package) for the store tests and the store benchmark: its own data
 * directory ({@code target/postgres}, or the system property {@value #DIRECTORY_PROPERTY}), its own free port on
 * loopback, stopped when the JVM ends. Started once per JVM.
 *
 * <p>Running as root, initdb refuses to run, so the server then runs as the {@code postgres} user.
 */
public final class LocalPostgres {

    /** Where the data directory goes when not running as root (default {@code target/postgres}). */
    public static final String DIRECTORY_PROPERTY = "mqttra.postgres.dir";

    private static LocalPostgres instance;

    private final Path dataDir;
    private final int port;
    private final Path bin;
    private final boolean asPostgresUser;

    private LocalPostgres(Path bin, Path dataDir, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.dataDir = dataDir;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    public static synchronized LocalPostgres get() {
        if (instance == null) {
            try {
                instance = start();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(
                        "Could not start PostgreSQL " + "(apt-get install postgresql): " + e.getMessage(), e);
            }
        }
        return instance;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    public String user() {
        return "postgres";
    }

    /** Creates an empty database (dropping one of that name) and returns its JDBC URL. */
    public String newDatabase(String name) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(jdbcUrl(), user(), "");
                java.sql.Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name);
            s.execute("CREATE DATABASE " + name);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
    }

    private static LocalPostgres start() throws IOException, InterruptedException {
        Path bin = findBin();
        boolean root = "root".equals(System.getProperty("user.name"));
        // As root the server runs as user postgres, who may not be able to reach target/ (a checkout under
        // /root is private): its directory is then a fresh one under the system's temporary directory.
        Path base;
        if (root) {
            base = Files.createTempDirectory("mqtt-ra-postgres");
            run(List.of("chown", "-R", "postgres:postgres", base.toString()), true);
        } else {
            base = Path.of(System.getProperty(DIRECTORY_PROPERTY, "target/postgres"))
                    .toAbsolutePath();
            deleteTree(base);
            Files.createDirectories(base);
        }
        Path dataDir = base.resolve("data");
        int port = freePort();
        LocalPostgres pg = new LocalPostgres(bin, dataDir, port, root);
        pg.exec(List.of(
                bin.resolve("initdb").toString(),
                "-D",
                dataDir.toString(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync"));
        pg.exec(List.of(
                bin.resolve("pg_ctl").toString(),
                "-D",
                dataDir.toString(),
                "-w",
                "-t",
                "60",
                "-l",
                base.resolve("server.log").toString(),
                "-o",
                "-p " + port + " -h 127.0.0.1 -k " + base + " -c max_connections=50",
                "start"));
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            pg.stop();
                            if (root) {
                                try {
                                    deleteTree(base);
                                } catch (IOException e) {
                                    // A leftover directory in the temporary directory; nothing more to do as the JVM
                                    // ends.
                                }
                            }
                        },
                        "stop-local-postgres"));
        return pg;
    }

    private void stop() {
        try {
            exec(List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "immediate", "stop"));
        } catch (IOException | InterruptedException e) {
            // The JVM is ending; nothing more to do.
        }
    }

    private void exec(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        run(full, true);
    }

    private static void run(List<String> command, boolean mustSucceed) throws IOException, InterruptedException {
        // The working directory must be one every user can enter (runuser keeps it; postgres cannot enter /root).
        Process p = new ProcessBuilder(command)
                .directory(new java.io.File(System.getProperty("java.io.tmpdir")))
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + command);
        }
        if (mustSucceed && p.exitValue() != 0) {
            throw new IOException(command + " exited with " + p.exitValue() + ": " + output);
        }
    }

    private static Path findBin() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            throw new IOException("no PostgreSQL server under " + root);
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(Path::toString))
                    .orElseThrow(() -> new IOException("no initdb under " + root));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
