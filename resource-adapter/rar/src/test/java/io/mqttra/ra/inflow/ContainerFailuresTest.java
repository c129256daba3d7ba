package io.mqttra.ra.inflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The real exception of a bean is taken from the container's log record, on the delivering thread only. */
class ContainerFailuresTest {

    private static final Logger MDB_CONTAINER =
            Logger.getLogger(ContainerFailures.CONTAINER_LOGGER + ".org.glassfish.ejb.mdb");

    @Test
    void theExceptionTheContainerLogsOnThisThreadIsCaptured() throws Exception {
        ContainerFailures.install();
        try {
            IllegalStateException real = new IllegalStateException("refusing on purpose");
            ContainerFailures.begin();
            MDB_CONTAINER.log(Level.WARNING, "MDB00037: Message-driven bean invocation exception", real);
            assertThat(ContainerFailures.end()).isSameAs(real);

            // Another thread's failure is not ours.
            ContainerFailures.begin();
            Thread other =
                    new Thread(() -> MDB_CONTAINER.log(Level.WARNING, "elsewhere", new RuntimeException("other")));
            other.start();
            other.join();
            assertThat(ContainerFailures.end()).isNull();
        } finally {
            ContainerFailures.uninstall();
        }
        // Uninstalled: nothing is captured any more.
        ContainerFailures.begin();
        MDB_CONTAINER.log(Level.WARNING, "after", new RuntimeException("late"));
        assertThat(ContainerFailures.end()).isNull();
    }
}
