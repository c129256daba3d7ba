package io.mqttra.api.admin;

import java.util.List;

/**
 * The state of the broker at a glance.
 *
 * @param running        true while the broker accepts clients
 * @param listeners      where it listens, as {@code tcp://address:port}; empty while it does not run
 * @param storeReachable true when the store of sessions and messages answered a probe just now
 * @param storeStatus    a short human text about the store (its kind, or why it cannot be reached)
 * @param metrics        the figures of the broker at the same moment
 */
public record BrokerOverview(
        boolean running, List<String> listeners, boolean storeReachable, String storeStatus, MetricsSnapshot metrics) {

    public BrokerOverview {
        listeners = List.copyOf(listeners);
    }
}
