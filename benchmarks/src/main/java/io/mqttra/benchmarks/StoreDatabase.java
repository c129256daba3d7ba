package io.mqttra.benchmarks;

import io.mqttra.persistence.StoreSettings;
import io.mqttra.testpg.LocalPostgres;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two databases the store benchmark measures, each run on a fresh, empty database: H2 as the RAR opens it by
 * default ({@link StoreSettings#h2File}: a file, {@code WRITE_DELAY=0}, default batch size), and PostgreSQL started
 * privately by {@link LocalPostgres} (Debian's server, initdb + pg_ctl, a free loopback port).
 */
enum StoreDatabase {
    H2 {
        @Override
        StoreSettings fresh(Path dir) {
            return StoreSettings.h2File(
                    dir.resolve("h2-" + COUNTER.incrementAndGet()).resolve("store"));
        }
    },
    POSTGRESQL {
        @Override
        StoreSettings fresh(Path dir) {
            LocalPostgres pg = LocalPostgres.get();
            return StoreSettings.jdbc(pg.newDatabase("bench_" + COUNTER.incrementAndGet()), pg.user(), "");
        }
    };

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final String WRITER = "store-writer";

    /** A new empty database; H2 files go under {@code dir}. */
    abstract StoreSettings fresh(Path dir);

    String label() {
        return this == H2 ? "H2 file" : "PostgreSQL";
    }

    /**
     * Outside the server a plain daemon thread stands in for the WorkManager Work that runs the store's writer
     * (this is a benchmark JVM, not the server, so no managed threads exist here).
     */
    static final Executor THREADS = r -> {
        Thread t = new Thread(r, WRITER);
        t.setDaemon(true);
        t.start();
    };

    /** CPU time of the live store writer threads (one per open store; a closed store's thread has ended). */
    static long writerCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && WRITER.equals(info.getThreadName())) {
                sum += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return sum;
    }
}
