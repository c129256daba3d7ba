package io.mqttra.persistence;

/** The store contract against an H2 file database (the default store). */
class H2StoreTest extends StoreContractTest {
    @Override
    TestDatabases database() {
        return TestDatabases.H2;
    }
}
