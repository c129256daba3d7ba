package io.mqttra.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * With Payara's H2 2.2.224 and the store's newer H2 both visible (as inside the RAR), the store runs on the newer
 * one, in a loader of its own.
 */
class H2EngineTest {

    @Test
    void newestVisibleH2IsUsedEvenWhenAnOlderOneComesFirst() throws Exception {
        Path repo = Path.of(System.getProperty("user.home"), ".m2", "repository", "com", "h2database", "h2");
        Path old = repo.resolve("2.2.224").resolve("h2-2.2.224.jar");
        Path current = Path.of(org.h2.Driver.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        assumeTrue(Files.exists(old), "H2 2.2.224 in the local Maven repository");
        Path classes = Path.of(H2Engine.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());

        // Older jar first, like Payara's common class path ahead of the RAR's own jars.
        try (URLClassLoader server = new URLClassLoader(
                new URL[] {
                    old.toUri().toURL(),
                    current.toUri().toURL(),
                    classes.toUri().toURL()
                },
                ClassLoader.getPlatformClassLoader())) {
            Class<?> engine = Class.forName(H2Engine.class.getName(), true, server);
            Method pool = engine.getDeclaredMethod("pool", String.class, String.class, String.class);
            pool.setAccessible(true);
            Object p = pool.invoke(null, "jdbc:h2:mem:engine-test", "sa", "");
            Method dataSource = p.getClass().getDeclaredMethod("dataSource");
            dataSource.setAccessible(true);
            Method dispose = p.getClass().getDeclaredMethod("dispose");
            dispose.setAccessible(true);
            DataSource ds = (DataSource) dataSource.invoke(p);
            try (Connection c = ds.getConnection()) {
                assertThat(c.getMetaData().getDatabaseProductVersion())
                        .startsWith(org.h2.engine.Constants.VERSION_MAJOR + "." + org.h2.engine.Constants.VERSION_MINOR
                                + "." + org.h2.engine.Constants.BUILD_ID);
                assertThat(c.getClass().getClassLoader()).isNotSameAs(server);
            } finally {
                ((AutoCloseable) dispose.invoke(p)).close();
            }
        }
    }
}
