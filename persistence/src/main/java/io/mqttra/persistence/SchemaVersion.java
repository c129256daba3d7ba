package io.mqttra.persistence;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceException;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The schema's version, kept in the single row of {@code MQTT_SCHEMA_VERSION}.
 *
 * <p>EclipseLink creates missing tables and adds missing columns ({@code create-or-extend-tables}); what that
 * cannot do (renames, data changes, dropped columns or indexes, changed keys) goes into {@link #MIGRATIONS}: the
 * steps that bring version n-1 to n, run in order in one transaction at start (H2 commits each DDL statement by
 * itself, so there a step must also finish what an interrupted earlier start began). A database written by a
 * newer broker is refused before anything is changed in it.
 */
final class SchemaVersion {

    private static final System.Logger LOG = System.getLogger(SchemaVersion.class.getName());

    /** The version this code reads and writes. */
    static final int CURRENT = 3;

    /** The queue row's primary key since version 3, in this column order. */
    private static final List<String> QUEUE_ENTRY_KEY = List.of("MESSAGE_ID", "CLIENT_ID");

    /** A change to the schema, on the connection of the migrating transaction. */
    @FunctionalInterface
    private interface Step {
        void run(Connection c) throws SQLException;
    }

    /**
     * Key n: steps from version n-1 to n. They also run on a database created by this version (its tables
     * come from the entities first), so each must be a no-op there.
     */
    private static final Map<Integer, List<Step>> MIGRATIONS = Map.of(
            // 2: sessions page their queue in by (client, sequence) instead of loading it whole.
            2,
                    List.of(sql("CREATE INDEX IF NOT EXISTS MQTT_QUEUE_ENTRY_ORDER ON " + Sql.QUEUE_ENTRY
                            + " (CLIENT_ID, SEQ)")),
            // 3: "is this message still referenced" probes use the primary key's prefix, so the separate
            // MESSAGE_ID index, one more B-tree written by every enqueue on the single writer, goes.
            3, List.of(SchemaVersion::messageFirstQueueKey, sql("DROP INDEX IF EXISTS MQTT_QUEUE_ENTRY_MESSAGE")));

    private SchemaVersion() {}

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
        return storedName(c, table) != null;
    }

    /** The table's name as the database keeps it in the connection's schema, null when there is no such table. */
    private static String storedName(Connection c, String table) throws SQLException {
        // Databases fold unquoted names differently: H2 to upper case, PostgreSQL to lower case.
        for (String name : new String[] {table, table.toLowerCase(Locale.ROOT)}) {
            try (ResultSet rs = c.getMetaData().getTables(null, c.getSchema(), name, new String[] {"TABLE"})) {
                if (rs.next()) {
                    return name;
                }
            }
        }
        return null;
    }

    /** A table's primary key: its constraint name and its columns in key order (upper case); none: empty. */
    private record StoredKey(String name, List<String> columns) {}

    private static StoredKey primaryKey(Connection c, String table) throws SQLException {
        String stored = storedName(c, table);
        Map<Short, String> columns = new TreeMap<>();
        String name = null;
        if (stored != null) {
            try (ResultSet rs = c.getMetaData().getPrimaryKeys(null, c.getSchema(), stored)) {
                while (rs.next()) {
                    columns.put(
                            rs.getShort("KEY_SEQ"), rs.getString("COLUMN_NAME").toUpperCase(Locale.ROOT));
                    name = rs.getString("PK_NAME");
                }
            }
        }
        return new StoredKey(name, List.copyOf(columns.values()));
    }

    /**
     * Version 3: the queue row's key (CLIENT_ID, MESSAGE_ID) becomes {@link #QUEUE_ENTRY_KEY}. A key is
     * replaced by dropping it and adding the new one; a table without a key (H2 interrupted between the two,
     * each committed by itself) only gets the new one. No row can violate it: the columns are the same.
     */
    private static void messageFirstQueueKey(Connection c) throws SQLException {
        StoredKey key = primaryKey(c, Sql.QUEUE_ENTRY);
        if (key.columns().equals(QUEUE_ENTRY_KEY)) {
            return;
        }
        try (Statement s = c.createStatement()) {
            if (!key.columns().isEmpty()) {
                s.execute("ALTER TABLE " + Sql.QUEUE_ENTRY + " DROP CONSTRAINT \"" + key.name() + "\"");
            }
            s.execute(
                    "ALTER TABLE " + Sql.QUEUE_ENTRY + " ADD PRIMARY KEY (" + String.join(", ", QUEUE_ENTRY_KEY) + ")");
        }
    }

    private static Step sql(String statement) {
        return c -> {
            try (Statement s = c.createStatement()) {
                s.execute(statement);
            }
        };
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
            Connection c = em.unwrap(Connection.class);
            for (int v = Math.max(found, 1) + 1; v <= CURRENT; v++) {
                for (Step step : MIGRATIONS.getOrDefault(v, List.of())) {
                    step.run(c);
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
            LOG.log(
                    Level.INFO,
                    "MQTT store schema " + (found == 0 ? "created" : "migrated from version " + found) + " at version "
                            + CURRENT);
        } catch (SQLException e) {
            throw new PersistenceException(
                    "cannot migrate the MQTT store schema from version " + found + ": " + e.getMessage(), e);
        } finally {
            if (em.getTransaction().isActive()) {
                em.getTransaction().rollback();
            }
            em.close();
        }
    }
}
