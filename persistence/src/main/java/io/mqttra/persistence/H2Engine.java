package io.mqttra.persistence;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Enumeration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Picks the H2 engine for the default store: the newest {@code org.h2} jar visible to this class's loader, loaded
 * in a class loader of its own.
 *
 * <p>Why: H2 2.2.224, the version Payara bundles in its common class path, can corrupt its file when the process
 * is killed: reopening fails with "File corrupted ... Double mark" (h2database issue 2752, fixed in 2.3). Our
 * kill -9 test hit it in 2 of 12 runs; with H2 2.3.232 in 0 of 12. Class loading in the server is parent-first,
 * so a newer H2 shipped in the RAR would never be used; loading it here, from a loader whose parent is the
 * platform loader, keeps the two apart. The engine is reached only through {@link DataSource}, a JDK type.
 */
final class H2Engine {

    private static final System.Logger LOG = System.getLogger(H2Engine.class.getName());
    private static final String DRIVER = "org/h2/Driver.class";
    /** Oldest H2 whose file survives a process kill in our test. */
    private static final int[] KILL_SAFE = {2, 3, 230};

    private static final Map<String, ClassLoader> LOADERS = new ConcurrentHashMap<>();

    private H2Engine() {}

    /** A pool of connections to an embedded H2 database; closing it closes the database file. */
    record Pool(DataSource dataSource, AutoCloseable dispose) {}

    /**
     * A connection pool for an H2 URL on the newest H2 found; warns when that version is known to be unsafe.
     * Pooled because EclipseLink does not pool a given DataSource, and H2 closes (and compacts) the database each
     * time its last connection closes.
     */
    static Pool pool(String url, String user, String password) {
        Found best = newest();
        try {
            Class<?> type = Class.forName("org.h2.jdbcx.JdbcDataSource", true, best.loader());
            Object ds = type.getConstructor().newInstance();
            type.getMethod("setURL", String.class).invoke(ds, url);
            type.getMethod("setUser", String.class).invoke(ds, user == null ? "" : user);
            type.getMethod("setPassword", String.class).invoke(ds, password == null ? "" : password);
            Class<?> poolType = Class.forName("org.h2.jdbcx.JdbcConnectionPool", true, best.loader());
            Object pool = poolType.getMethod("create", javax.sql.ConnectionPoolDataSource.class)
                    .invoke(null, ds);
            poolType.getMethod("setMaxConnections", int.class).invoke(pool, 16);
            if (compare(best.version(), KILL_SAFE) < 0) {
                LOG.log(
                        Level.WARNING,
                        "MQTT store on H2 " + best.versionText() + ": this version can corrupt its "
                                + "file when the server is killed (h2database issue 2752). Ship H2 2.3.232 or newer with "
                                + "the resource adapter, or use PostgreSQL.");
            } else {
                LOG.log(Level.INFO, "MQTT store uses H2 " + best.versionText() + " from " + best.source());
            }
            return new Pool(
                    (DataSource) pool, () -> poolType.getMethod("dispose").invoke(pool));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot load the H2 database engine: " + e, e);
        }
    }

    /** For stores reached through a given DataSource (e.g. a server pool on Payara's own H2): warn if unsafe. */
    static void warnIfUnsafe(java.sql.DatabaseMetaData meta) throws java.sql.SQLException {
        if (!"H2".equalsIgnoreCase(meta.getDatabaseProductName())) {
            return;
        }
        String[] parts = meta.getDatabaseProductVersion().split("[ .]");
        try {
            int[] v = {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
            if (compare(v, KILL_SAFE) < 0) {
                LOG.log(
                        Level.WARNING,
                        "MQTT store on H2 " + meta.getDatabaseProductVersion() + ": this version can "
                                + "corrupt its file when the server is killed (h2database issue 2752). Let the store open "
                                + "its own H2 file (StoreSettings.h2File) or use PostgreSQL.");
            }
        } catch (RuntimeException unparsable) {
            LOG.log(Level.DEBUG, "Unknown H2 version " + meta.getDatabaseProductVersion());
        }
    }

    private record Found(int[] version, String versionText, ClassLoader loader, String source) {}

    private static Found newest() {
        ClassLoader own = H2Engine.class.getClassLoader();
        Found best = null;
        try {
            Enumeration<URL> drivers = own.getResources(DRIVER);
            while (drivers.hasMoreElements()) {
                URL driver = drivers.nextElement();
                Found f = inspect(driver, own);
                if (f != null && (best == null || compare(f.version(), best.version()) > 0)) {
                    best = f;
                }
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "Listing H2 jars failed", e);
        }
        if (best == null) {
            throw new IllegalStateException("no H2 database engine (org.h2.Driver) is visible to the store");
        }
        return best;
    }

    /** Loads the jar holding this driver in its own loader (once per jar) and reads its version. */
    private static Found inspect(URL driver, ClassLoader own) {
        try {
            ClassLoader loader;
            String source;
            if ("jar".equals(driver.getProtocol())) {
                URL jar = ((JarURLConnection) driver.openConnection()).getJarFileURL();
                source = jar.toString();
                loader = LOADERS.computeIfAbsent(
                        source,
                        s -> new URLClassLoader(
                                "mqtt-store-h2", new URL[] {jar}, ClassLoader.getPlatformClassLoader()));
            } else {
                source = driver.toString(); // classes directory (tests): use it as it is
                loader = own;
            }
            Class<?> constants = Class.forName("org.h2.engine.Constants", true, loader);
            int[] v = {
                constants.getField("VERSION_MAJOR").getInt(null),
                constants.getField("VERSION_MINOR").getInt(null),
                constants.getField("BUILD_ID").getInt(null)
            };
            return new Found(v, v[0] + "." + v[1] + "." + v[2], loader, source);
        } catch (IOException | ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.log(Level.DEBUG, "Ignoring H2 at " + driver + ": " + e);
            return null;
        }
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }
}
