package io.mqttra.console;

import io.mqttra.api.admin.BrokerOverview;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The broker's overview, read at most once a second however many gauges and probes ask: a scrape of /metrics
 * reads some twenty gauges, and each overview visits every session and probes the store.
 */
@ApplicationScoped
public class BrokerFigures {

    private static final Logger LOG = Logger.getLogger(BrokerFigures.class.getName());
    private static final long MAX_AGE_NANOS = 1_000_000_000L;

    @Inject
    BrokerAdminLocator locator;

    private BrokerOverview last;
    private long lastReadNanos;

    /** The current overview, or empty when the broker cannot be reached. */
    public synchronized Optional<BrokerOverview> current() {
        long now = System.nanoTime();
        if (last == null || now - lastReadNanos > MAX_AGE_NANOS) {
            lastReadNanos = now;
            try {
                last = locator.admin().overview();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "broker overview not available", e);
                last = null;
            }
        }
        return Optional.ofNullable(last);
    }
}
