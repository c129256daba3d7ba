package io.mqttra.persistence;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Where and how the store keeps its data: a JDBC URL (with user and password) or a DataSource, plus tuning.
 *
 * @param jdbcUrl         JDBC URL, or null when {@code dataSource} is given
 * @param user            database user (URL only), may be null
 * @param password        database password (URL only), may be null
 * @param dataSource      a DataSource (e.g. looked up in JNDI), or null when {@code jdbcUrl} is given
 * @param maxBatch        most writes committed in one transaction
 * @param cleanupInterval how often the background cleanup runs
 */
public record StoreSettings(
        String jdbcUrl, String user, String password, DataSource dataSource, int maxBatch, Duration cleanupInterval) {

    private static final System.Logger LOG = System.getLogger(StoreSettings.class.getName());
    public static final int DEFAULT_MAX_BATCH = 2000;
    public static final Duration DEFAULT_CLEANUP_INTERVAL = Duration.ofSeconds(10);

    public StoreSettings {
        if ((jdbcUrl == null) == (dataSource == null)) {
            throw new IllegalArgumentException("give either a JDBC URL or a DataSource");
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1: " + maxBatch);
        }
        Objects.requireNonNull(cleanupInterval, "cleanupInterval");
        jdbcUrl = jdbcUrl == null ? null : durableH2(jdbcUrl);
    }

    /** The default store: an H2 file database {@code <directory>/mqtt-ra.mv.db}, created when missing. */
    public static StoreSettings h2File(Path directory) {
        return jdbc("jdbc:h2:file:" + directory.toAbsolutePath().resolve("mqtt-ra") + ";WRITE_DELAY=0", "sa", "");
    }

    public static StoreSettings jdbc(String url, String user, String password) {
        return new StoreSettings(url, user, password, null, DEFAULT_MAX_BATCH, DEFAULT_CLEANUP_INTERVAL);
    }

    public static StoreSettings dataSource(DataSource dataSource) {
        return new StoreSettings(null, null, null, dataSource, DEFAULT_MAX_BATCH, DEFAULT_CLEANUP_INTERVAL);
    }

    public StoreSettings withMaxBatch(int n) {
        return new StoreSettings(jdbcUrl, user, password, dataSource, n, cleanupInterval);
    }

    public StoreSettings withCleanupInterval(Duration d) {
        return new StoreSettings(jdbcUrl, user, password, dataSource, maxBatch, d);
    }

    /**
     * With H2's default write delay a committed transaction can be lost by a process kill; the store promises
     * that an acknowledged message survives one, so an H2 file URL always gets {@code WRITE_DELAY=0}.
     */
    private static String durableH2(String url) {
        boolean h2File = url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:h2:mem:");
        if (h2File && !url.toUpperCase(java.util.Locale.ROOT).contains("WRITE_DELAY=")) {
            LOG.log(Level.INFO, "Store: adding WRITE_DELAY=0 to the H2 URL so that commits survive a process kill");
            return url + ";WRITE_DELAY=0";
        }
        return url;
    }
}
