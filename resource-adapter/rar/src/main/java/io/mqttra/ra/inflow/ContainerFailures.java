package io.mqttra.ra.inflow;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Recovers the exception a message-driven bean really threw. When a bean method invoked through the endpoint proxy
 * throws, Payara hands the resource adapter a misleading {@code EJBException: Transaction Attribute not found for
 * method ...} and logs the real exception itself ({@code MDB00037}, logger {@value #CONTAINER_LOGGER}), on the
 * delivering thread. A handler on that logger keeps the thrown exception of the record for the thread that asked for
 * it, so the adapter's own log line and the dead letter's reason name the real cause.
 */
final class ContainerFailures {

    static final String CONTAINER_LOGGER = "javax.enterprise.system.container.ejb.mdb";

    private static final ThreadLocal<Throwable[]> CAPTURE = new ThreadLocal<>();
    private static final Handler HANDLER = new CaptureHandler();
    // Held strongly: the log manager keeps loggers only weakly, and the handler must stay attached.
    private static final Logger CONTAINER = Logger.getLogger(CONTAINER_LOGGER);
    private static int installs;

    private ContainerFailures() {}

    /** Attaches the handler (once, however many activations ask). */
    static synchronized void install() {
        if (installs++ == 0) {
            CONTAINER.addHandler(HANDLER);
        }
    }

    /** Detaches it when the last activation ends, so that no class of the adapter stays referenced by the server. */
    static synchronized void uninstall() {
        if (installs > 0 && --installs == 0) {
            CONTAINER.removeHandler(HANDLER);
        }
    }

    /** Starts listening on this thread, for one delivery. */
    static void begin() {
        CAPTURE.set(new Throwable[1]);
    }

    /** Stops listening; the exception the container logged meanwhile on this thread, or null. */
    static Throwable end() {
        Throwable[] slot = CAPTURE.get();
        CAPTURE.remove();
        return slot == null ? null : slot[0];
    }

    private static final class CaptureHandler extends Handler {
        @Override
        public void publish(LogRecord record) {
            Throwable[] slot = CAPTURE.get();
            if (slot != null && slot[0] == null && record.getThrown() != null) {
                slot[0] = record.getThrown();
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}

        @Override
        public boolean isLoggable(LogRecord record) {
            return record.getLevel().intValue() >= Level.WARNING.intValue();
        }
    }
}
