package io.mqttra.persistence;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceException;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.List;
import java.util.Map;

/**
 * The schema's version, kept in the single row of {@code MQTT_SCHEMA_VERSION}.
 *
 * <p>EclipseLink creates missing tables and adds missing columns ({@code create-or-extend-tables}); what that
 * cannot do (renames, data changes, dropped columns) goes into {@link #MIGRATIONS}: the SQL that brings version
 * n-1 to n, run in order in one transaction at start. A database written by a newer broker is refused before
 * anything is changed in it.
 */
final class SchemaVersion {

    private static final System.Logger LOG = System.getLogger(SchemaVersion.class.getName());

    /** The version this code reads and writes. */
    static final int CURRENT = 2;

    /**
     * Key n: statements from version n-1 to n. They also run on a database created by this version (its tables
     * come from the entities first), so each must be a no-op there.
     */
    private static final Map<Integer, List<String>> MIGRATIONS = Map.of(
            // 2: sessions page their queue in by (client, sequence) instead of loading it whole.
            2, List.of("CREATE INDEX IF NOT EXISTS MQTT_QUEUE_ENTRY_ORDER ON " + Sql.QUEUE_ENTRY + " (CLIENT_ID, SEQ)"));

    private SchemaVersion() {
    }

    /** The version in the database, 0 when it has no store tables yet. Reads only. */
    static int read(EntityManagerFactory emf) {
        EntityManager em = emf.createEntityManager();
        try {
            em.getTransaction().begin();
            Connection c = em.unwrap(Connection.class);
            H2Engine.warnIfUnsafe(c.getMetaData());
            if (!tableExists(c, Sql.SCHEMA_VERSION)) {
                return 0;
            }
            List<?> v = em.createNativeQuery("SELECT VERSION FROM " + Sql.SCHEMA_VERSION + " WHERE ID = 1")
                    .getResultList();
            return v.isEmpty() ? 0 : ((Number) v.get(0)).intValue();
        } catch (SQLException e) {
            throw new PersistenceException("cannot read the MQTT store schema version: " + e.getMessage(), e);
        } finally {
            if (em.getTransaction().isActive()) {
                em.getTransaction().rollback();
            }
            em.close();
        }
    }

    /** Asked through metadata, not by a failing SELECT, which would log an error on every first start. */
    private static boolean tableExists(Connection c, String table) throws SQLException {
        DatabaseMetaData meta = c.getMetaData();
        // Databases fold unquoted names differently: H2 to upper case, PostgreSQL to lower case.
        for (String name : new String[] {table, table.toLowerCase(Locale.ROOT)}) {
            try (ResultSet rs = meta.getTables(null, null, name, new String[] {"TABLE"})) {
                if (rs.next()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Refuses a database written by a newer version: its rows could mean something this code does not know. */
    static void checkSupported(int found) {
        if (found > CURRENT) {
            throw new IllegalStateException("The MQTT store database has schema version " + found
                    + ", newer than this broker's version " + CURRENT + ": refusing to start rather than damage it."
                    + " Run the newer broker version, or point the store at another database.");
        }
    }

    /** After the tables exist: runs the migrations from {@code found} and records the current version. */
    static void migrate(EntityManagerFactory emf, int found) {
        if (found == CURRENT) {
            return;
        }
        EntityManager em = emf.createEntityManager();
        try {
            em.getTransaction().begin();
            for (int v = Math.max(found, 1) + 1; v <= CURRENT; v++) {
                for (String sql : MIGRATIONS.getOrDefault(v, List.of())) {
                    em.createNativeQuery(sql).executeUpdate();
                }
            }
            SchemaVersionEntity row = em.find(SchemaVersionEntity.class, 1);
            if (row == null) {
                row = new SchemaVersionEntity();
                em.persist(row);
            }
            row.version = CURRENT;
            row.updatedAt = System.currentTimeMillis();
            em.getTransaction().commit();
            LOG.log(Level.INFO, "MQTT store schema " + (found == 0 ? "created" : "migrated from version " + found)
                    + " at version " + CURRENT);
        } finally {
            if (em.getTransaction().isActive()) {
                em.getTransaction().rollback();
            }
            em.close();
        }
    }
}
