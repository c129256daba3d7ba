package io.mqttra.persistence;

import io.mqttra.broker.store.CommitStatistics;
import io.mqttra.broker.store.Stores;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The broker's durable stores through JPA: opens the database (creating or migrating the schema), starts the
 * group-commit writer and hands out {@link Stores} for the engine. {@link #close()} commits what is queued,
 * stops the writer and closes the database.
 *
 * <pre>{@code
 * JpaStores store = JpaStores.open(StoreSettings.h2File(dataDir.resolve("store")), executor);
 * MqttBroker broker = new MqttBroker(config, store.stores(), ...);
 * ...
 * store.close();   // after the broker has stopped
 * }</pre>
 */
public final class JpaStores implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(JpaStores.class.getName());

    /** The persistence unit in this jar's {@code META-INF/persistence.xml}. */
    public static final String UNIT = "mqtt-ra-store";

    private static final AtomicInteger SESSIONS = new AtomicInteger();

    private final EntityManagerFactory emf;
    private final GroupCommitWriter writer;
    private final H2Engine.Pool h2;
    private final JpaSessionStore sessions;
    private final JpaMessageStore messages;
    private final JpaRetainedStore retained;
    private final JpaTransactionStore transactions;
    private final Stores stores;

    private JpaStores(EntityManagerFactory emf, GroupCommitWriter writer, H2Engine.Pool h2, CommitStatistics commits) {
        this.emf = emf;
        this.h2 = h2;
        this.writer = writer;
        this.messages = new JpaMessageStore(emf, writer);
        this.sessions = new JpaSessionStore(emf, writer);
        this.retained = new JpaRetainedStore(emf, writer);
        this.transactions = new JpaTransactionStore(emf, writer);
        this.stores = new Stores(sessions, messages, retained, commits);
    }

    /**
     * Opens the store.
     *
     * @param threads runs the writer loop, which holds one thread until {@link #close()}: in the server a
     *                WorkManager-backed executor
     * @throws IllegalStateException when the database holds a newer schema version, or cannot be reached
     */
    public static JpaStores open(StoreSettings settings, Executor threads) {
        H2Engine.Pool h2 = settings.jdbcUrl() != null && settings.jdbcUrl().startsWith("jdbc:h2:")
                ? H2Engine.pool(settings.jdbcUrl(), settings.user(), settings.password())
                : null;
        try {
            return open(settings, threads, h2);
        } catch (RuntimeException e) {
            closeQuietly(h2);
            throw e;
        }
    }

    private static JpaStores open(StoreSettings settings, Executor threads, H2Engine.Pool h2) {
        Map<String, Object> props = properties(settings, h2);
        EntityManagerFactory probe = Persistence.createEntityManagerFactory(UNIT, props);
        int found;
        try {
            found = SchemaVersion.read(probe);
        } finally {
            probe.close();
        }
        SchemaVersion.checkSupported(found);

        props.put("eclipselink.session-name", UNIT + "-" + SESSIONS.incrementAndGet());
        props.put("eclipselink.ddl-generation", "create-or-extend-tables");
        props.put("eclipselink.ddl-generation.output-mode", "database");
        EntityManagerFactory emf = Persistence.createEntityManagerFactory(UNIT, props);
        try {
            SchemaVersion.migrate(emf, found);
            long firstSeq = startUp(emf);
            CommitStatistics commits = new CommitStatistics();
            GroupCommitWriter writer = new GroupCommitWriter(
                    emf,
                    threads,
                    settings.maxBatch(),
                    firstSeq,
                    new Cleanup(),
                    settings.cleanupInterval().toMillis(),
                    commits);
            LOG.log(
                    Level.INFO,
                    () -> "MQTT store open on "
                            + (settings.jdbcUrl() != null
                                    ? settings.jdbcUrl()
                                    : "DataSource " + settings.dataSource()));
            return new JpaStores(emf, writer, h2, commits);
        } catch (RuntimeException e) {
            emf.close();
            throw e;
        }
    }

    /**
     * Nobody is connected while the broker starts: sessions without a disconnect time get "now", so that their
     * expiry interval runs from here. Returns the first free queue sequence number.
     */
    private static long startUp(EntityManagerFactory emf) {
        EntityManager em = emf.createEntityManager();
        try {
            em.getTransaction().begin();
            em.createQuery("UPDATE SessionEntity s SET s.disconnectedAt = :now WHERE s.disconnectedAt IS NULL")
                    .setParameter("now", System.currentTimeMillis())
                    .executeUpdate();
            Long maxSeq = em.createQuery("SELECT MAX(q.seq) FROM QueueEntryEntity q", Long.class)
                    .getSingleResult();
            em.getTransaction().commit();
            return maxSeq == null ? 1 : maxSeq + 1;
        } finally {
            if (em.getTransaction().isActive()) {
                em.getTransaction().rollback();
            }
            em.close();
        }
    }

    private static Map<String, Object> properties(StoreSettings s, H2Engine.Pool h2) {
        Map<String, Object> p = new HashMap<>();
        // EclipseLink shares one session per unit name: two stores (or a store and its schema probe) on different
        // databases in one JVM must not end up on the same connection.
        p.put("eclipselink.session-name", UNIT + "-" + SESSIONS.incrementAndGet());
        if (s.dataSource() != null) {
            p.put("jakarta.persistence.nonJtaDataSource", s.dataSource());
        } else if (h2 != null) {
            p.put("jakarta.persistence.nonJtaDataSource", h2.dataSource());
        } else {
            p.put("jakarta.persistence.jdbc.url", s.jdbcUrl());
            if (s.user() != null) {
                p.put("jakarta.persistence.jdbc.user", s.user());
            }
            if (s.password() != null) {
                p.put("jakarta.persistence.jdbc.password", s.password());
            }
            p.put("eclipselink.jdbc.cache-statements", "true");
        }
        // Inserts of a batch go out as JDBC batches at commit.
        p.put("eclipselink.jdbc.batch-writing", "JDBC");
        p.put("eclipselink.jdbc.batch-writing.size", "1000");
        // Rows are also changed by SQL (deletes/updates by key), so no shared object cache may hide them.
        p.put("eclipselink.cache.shared.default", "false");
        p.put("eclipselink.persistence-context.flush-mode", "commit");
        // The writer persists plain new rows without relationships: no need to re-run persist cascades at commit.
        p.put("eclipselink.persistence-context.persist-on-commit", "false");
        p.put("eclipselink.persistence-context.commit-without-persist-rules", "true");
        p.put("eclipselink.weaving", "false");
        p.put("eclipselink.logging.logger", "JavaLogger");
        p.put("eclipselink.logging.level", "WARNING");
        return p;
    }

    /** The stores to give the engine. */
    public Stores stores() {
        return stores;
    }

    public JpaSessionStore sessions() {
        return sessions;
    }

    public JpaMessageStore messages() {
        return messages;
    }

    public JpaRetainedStore retained() {
        return retained;
    }

    /** Prepared XA transaction branches, in the same database. */
    public JpaTransactionStore transactions() {
        return transactions;
    }

    /** Transactions committed by the writer so far. */
    public long committedBatches() {
        return writer.batches();
    }

    /** Writes committed so far. */
    public long committedWrites() {
        return writer.writes();
    }

    /** Most writes committed in one transaction so far. */
    public int largestBatch() {
        return writer.largestBatch();
    }

    /** Writes waiting for the next commit. */
    public int backlog() {
        return writer.backlog();
    }

    /** Commits what is queued, stops the writer, closes the database. Call after the broker has stopped. */
    @Override
    public void close() {
        writer.close();
        emf.close();
        closeQuietly(h2);
    }

    private static void closeQuietly(H2Engine.Pool h2) {
        if (h2 != null) {
            try {
                h2.dispose().close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "Closing the H2 store failed: " + e);
            }
        }
    }
}
