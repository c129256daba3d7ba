package io.mqttra.console.metrics;

import io.mqttra.api.admin.BrokerOverview;
import io.mqttra.api.admin.MetricsSnapshot;
import io.mqttra.console.BrokerFigures;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricID;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;

/**
 * Publishes the broker's figures as MicroProfile Metrics gauges (mqtt_* on /metrics). The broker counts for
 * itself; these gauges only read its snapshot when scraped, so no work is added to a message's path. Values
 * that only grow (messages, bytes, connections accepted) are cumulative since the broker started.
 */
@ApplicationScoped
public class BrokerGauges {

    @Inject
    MetricRegistry registry;

    @Inject
    BrokerFigures figures;

    private final List<MetricID> registered = new ArrayList<>();

    void register(@Observes @Initialized(ApplicationScoped.class) Object started) {
        gauge("mqtt_broker_running", "1 while the broker accepts clients", MetricUnits.NONE, o -> o.running() ? 1 : 0);
        gauge(
                "mqtt_store_reachable",
                "1 while the broker's store answers",
                MetricUnits.NONE,
                o -> o.storeReachable() ? 1 : 0);
        metric("mqtt_connections", "Open network connections", MetricUnits.NONE, MetricsSnapshot::connections);
        metric(
                "mqtt_connections_accepted",
                "Connections accepted since start",
                MetricUnits.NONE,
                MetricsSnapshot::connectionsTotal);
        metric(
                "mqtt_connections_rejected",
                "Connections refused since start",
                MetricUnits.NONE,
                MetricsSnapshot::connectionsRejected);
        metric(
                "mqtt_sessions",
                "Sessions (online, offline, message-driven beans)",
                MetricUnits.NONE,
                MetricsSnapshot::sessions);
        metric("mqtt_subscriptions", "Subscriptions", MetricUnits.NONE, MetricsSnapshot::subscriptions);
        metric("mqtt_retained_messages", "Retained messages", MetricUnits.NONE, MetricsSnapshot::retainedMessages);
        metric(
                "mqtt_messages_dropped",
                "Deliveries dropped since start (queue full, expired, too large)",
                MetricUnits.NONE,
                MetricsSnapshot::messagesDropped);
        metric("mqtt_messages_queued", "Messages waiting in session queues", MetricUnits.NONE, MetricsSnapshot::queued);
        metric(
                "mqtt_messages_inflight",
                "QoS 1/2 messages sent and not yet acknowledged",
                MetricUnits.NONE,
                MetricsSnapshot::inflight);
        metric(
                "mqtt_protocol_errors",
                "Connections closed for protocol violations since start",
                MetricUnits.NONE,
                MetricsSnapshot::protocolErrors);
        metric(
                "mqtt_mdb_deliveries",
                "Messages handed to message-driven bean methods since start, redeliveries" + " included",
                MetricUnits.NONE,
                m -> m.beanDeliveries().deliveries());
        metric(
                "mqtt_mdb_redeliveries",
                "Deliveries to message-driven beans of a message they had been given" + " before (DUP) since start",
                MetricUnits.NONE,
                m -> m.beanDeliveries().redeliveries());
        metric(
                "mqtt_mdb_dead_letters",
                "Messages message-driven beans kept refusing, moved to their dead-letter"
                        + " topic (or dropped without one) since start",
                MetricUnits.NONE,
                m -> m.beanDeliveries().deadLetters());
        metric(
                "mqtt_store_commits",
                "Store transactions committed since start",
                MetricUnits.NONE,
                m -> m.storeCommits().commits());
        metric(
                "mqtt_store_committed_writes",
                "Store writes made durable since start (divided by mqtt_store_commits:" + " the mean group commit)",
                MetricUnits.NONE,
                m -> m.storeCommits().writes());
        seconds(
                "mqtt_store_commit_time",
                "Time spent in store commits since start",
                m -> m.storeCommits().totalNanos());
        seconds(
                "mqtt_store_commit_time_mean",
                "Mean store commit time since start",
                m -> m.storeCommits().meanNanos());
        seconds(
                "mqtt_store_commit_time_max",
                "Longest store commit since start",
                m -> m.storeCommits().maxNanos());
        seconds(
                "mqtt_store_commit_time_last",
                "Most recent store commit",
                m -> m.storeCommits().lastNanos());
        for (int qos = 0; qos <= 2; qos++) {
            int q = qos;
            Tag tag = new Tag("qos", Integer.toString(q));
            metric(
                    "mqtt_messages_in",
                    "PUBLISH received since start, by QoS",
                    MetricUnits.NONE,
                    m -> m.messagesInByQos().get(q),
                    tag);
            metric(
                    "mqtt_messages_out",
                    "Deliveries sent since start, by QoS",
                    MetricUnits.NONE,
                    m -> m.messagesOutByQos().get(q),
                    tag);
            metric(
                    "mqtt_payload_in",
                    "Payload received since start, by QoS",
                    MetricUnits.BYTES,
                    m -> m.bytesInByQos().get(q),
                    tag);
            metric(
                    "mqtt_payload_out",
                    "Payload sent since start, by QoS",
                    MetricUnits.BYTES,
                    m -> m.bytesOutByQos().get(q),
                    tag);
        }
    }

    private void metric(
            String name, String description, String unit, ToLongFunction<MetricsSnapshot> value, Tag... tags) {
        gauge(name, description, unit, o -> value.applyAsLong(o.metrics()), tags);
    }

    /** The broker keeps nanoseconds (exact, cheap to add up); Prometheus expects seconds. */
    private void seconds(String name, String description, ToLongFunction<MetricsSnapshot> nanos) {
        Metadata metadata = Metadata.builder()
                .withName(name)
                .withDescription(description)
                .withUnit(MetricUnits.SECONDS)
                .build();
        registry.gauge(
                metadata,
                () -> figures.current()
                        .map(o -> nanos.applyAsLong(o.metrics()) / 1e9)
                        .orElse(0.0));
        registered.add(new MetricID(name));
    }

    private void gauge(
            String name, String description, String unit, ToLongFunction<BrokerOverview> value, Tag... tags) {
        Metadata metadata = Metadata.builder()
                .withName(name)
                .withDescription(description)
                .withUnit(unit)
                .build();
        // A broker that cannot be reached reads as 0, and mqtt_broker_running says why.
        registry.gauge(metadata, () -> figures.current().map(value::applyAsLong).orElse(0L), tags);
        registered.add(new MetricID(name, tags));
    }

    @PreDestroy
    void unregister() {
        registered.forEach(registry::remove);
    }
}
