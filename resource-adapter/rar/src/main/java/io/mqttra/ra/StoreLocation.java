package io.mqttra.ra;

import io.mqttra.persistence.StoreSettings;
import java.nio.file.Path;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * Where the broker keeps its durable state: a JDBC data source of the server (PostgreSQL in production), or by
 * default an embedded H2 file database in the data directory, created on first start with no manual step.
 *
 * <p>The data directory is, in order: the setting {@code mqtt.data.dir}, the adapter's {@code dataDirectory}
 * property, {@code <instance root>/mqtt-ra} on Payara Server and Micro, or {@code ./mqtt-ra-data}.
 */
final class StoreLocation {

    private StoreLocation() {}

    static StoreSettings resolve(String dataSourceJndiName, String dataDirectory) {
        if (dataSourceJndiName != null && !dataSourceJndiName.isBlank()) {
            return StoreSettings.dataSource(NonTransactionalDataSource.of(lookup(dataSourceJndiName.trim())));
        }
        return StoreSettings.h2File(dataDirectory(dataDirectory).resolve("store"));
    }

    static Path dataDirectory(String configured) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.trim()).toAbsolutePath();
        }
        String instanceRoot = System.getProperty("com.sun.aas.instanceRoot");
        if (instanceRoot != null && !instanceRoot.isBlank()) {
            return Path.of(instanceRoot, "mqtt-ra").toAbsolutePath();
        }
        return Path.of("mqtt-ra-data").toAbsolutePath();
    }

    private static DataSource lookup(String jndiName) {
        try {
            return (DataSource) new InitialContext().lookup(jndiName);
        } catch (NamingException | ClassCastException e) {
            throw new IllegalArgumentException(
                    "store data source '" + jndiName + "' is not a JDBC DataSource of this" + " server: "
                            + e.getMessage(),
                    e);
        }
    }
}
