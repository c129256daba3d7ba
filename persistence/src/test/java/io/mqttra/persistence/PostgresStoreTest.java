package io.mqttra.persistence;

/** The store contract against PostgreSQL (Debian's server, started by {@link io.mqttra.testpg.LocalPostgres}). */
class PostgresStoreTest extends StoreContractTest {
    @Override
    TestDatabases database() {
        return TestDatabases.POSTGRESQL;
    }
}
