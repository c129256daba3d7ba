package io.mqttra.persistence;

import io.mqttra.testpg.LocalPostgres;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/** Fresh, empty databases for the store tests: H2 files under target/, PostgreSQL databases on LocalPostgres. */
enum TestDatabases {
    H2 {
        @Override
        StoreSettings fresh(String name) {
            Path dir = Path.of("target", "h2", name + "-" + System.nanoTime());
            return StoreSettings.h2File(dir);
        }
    },
    POSTGRESQL {
        @Override
        StoreSettings fresh(String name) {
            LocalPostgres pg = LocalPostgres.get();
            String db = (name + "_" + COUNTER.incrementAndGet())
                    .toLowerCase(Locale.ROOT)
                    .replaceAll("[^a-z0-9_]", "_");
            return StoreSettings.jdbc(pg.newDatabase(db), pg.user(), "");
        }
    };

    private static final AtomicInteger COUNTER = new AtomicInteger();

    abstract StoreSettings fresh(String name);

    /** Outside the server a plain thread stands in for the WorkManager's Work that runs the writer. */
    static final Executor THREADS = r -> {
        Thread t = new Thread(r, "store-writer");
        t.setDaemon(true);
        t.start();
    };
}
