package io.mqttra.broker.sys;

import io.mqttra.api.PublishProperties;
import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.BrokerMetrics;
import io.mqttra.broker.session.BrokerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishes the broker's state under {@code $SYS/broker/...} with the topic names Mosquitto uses, so existing
 * dashboards work: retained, QoS 0, every {@code sysInterval} seconds, and only the values that changed.
 * Runs on one of the broker's event loops (no thread of its own) and reads the counters of
 * {@link BrokerMetrics}; nothing is added to the message path. Clients subscribed to {@code #} do not see these
 * topics [MQTT-4.7.2-1]; they subscribe to {@code $SYS/#}.
 */
public final class SysTopicsPublisher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SysTopicsPublisher.class.getName());
    static final String PREFIX = "$SYS/broker/";

    private final BrokerContext broker;
    private final BrokerMetrics metrics;
    private final long startNanos = System.nanoTime();
    private final List<Topic> topics = new ArrayList<>();
    private final Map<String, String> lastPublished = new HashMap<>();
    private final Map<String, LoadAverage> loads = new HashMap<>();
    private final Map<String, LongSupplier> loadCounters = new HashMap<>();
    private long lastTickNanos = startNanos;
    // The $SYS messages are routed like any publish, so the engine counts them as received; they are
    // subtracted again so that the received figures show what clients and applications sent.
    private long ownMessages;
    private long ownBytes;
    private volatile ScheduledFuture<?> timer;

    private record Topic(String name, Supplier<String> value) {}

    private SysTopicsPublisher(BrokerContext broker, String version) {
        this.broker = broker;
        this.metrics = broker.metrics();
        add("version", () -> "mqtt-ra version " + version);
        add("uptime", () -> TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos) + " seconds");
        add("clients/connected", () -> Long.toString(metrics.connections()));
        add("clients/active", () -> Long.toString(metrics.connections()));
        add("clients/total", () -> Long.toString(Math.max(metrics.sessions(), metrics.connections())));
        // Sessions without a connection: persistent clients that are away (and socket-less local sessions).
        add("clients/disconnected", () -> Long.toString(Math.max(0, metrics.sessions() - metrics.connections())));
        add("clients/inactive", () -> Long.toString(Math.max(0, metrics.sessions() - metrics.connections())));
        add("clients/maximum", () -> Long.toString(metrics.connectionsMaximum()));
        add("publish/messages/received", () -> Long.toString(messagesReceived()));
        add("publish/messages/sent", () -> Long.toString(metrics.messagesOut()));
        add("publish/messages/dropped", () -> Long.toString(metrics.messagesDropped()));
        add("publish/bytes/received", () -> Long.toString(metrics.bytesIn() - ownBytes));
        add("publish/bytes/sent", () -> Long.toString(metrics.bytesOut()));
        add("retained messages/count", () -> Long.toString(metrics.retainedMessages()));
        add("subscriptions/count", () -> Long.toString(metrics.subscriptions()));
        for (int minutes : new int[] {1, 5, 15}) {
            addLoad("load/publish/received/" + minutes + "min", minutes, this::messagesReceived);
            addLoad("load/publish/sent/" + minutes + "min", minutes, metrics::messagesOut);
            addLoad("load/publish/dropped/" + minutes + "min", minutes, metrics::messagesDropped);
            addLoad("load/connections/" + minutes + "min", minutes, metrics::connectionsTotal);
        }
    }

    /**
     * Starts publishing every {@code config().sysIntervalSeconds()} seconds; returns null when that is 0.
     *
     * @param version the broker version shown in {@code $SYS/broker/version}
     */
    public static SysTopicsPublisher start(BrokerContext broker, String version) {
        int interval = broker.config().sysIntervalSeconds();
        if (interval <= 0) {
            return null;
        }
        SysTopicsPublisher p = new SysTopicsPublisher(broker, version);
        // The first figures right away: a monitor that subscribes after start gets them as retained messages.
        p.timer = broker.eventLoops().next().scheduleAtFixedRate(p::publishSafely, 0, interval, TimeUnit.SECONDS);
        return p;
    }

    private void add(String name, Supplier<String> value) {
        topics.add(new Topic(PREFIX + name, value));
    }

    private void addLoad(String name, int minutes, LongSupplier counter) {
        LoadAverage load = new LoadAverage(minutes);
        loads.put(name, load);
        // Updated in publish() before the values are read; here only formatted.
        add(name, () -> String.format(Locale.ROOT, "%.2f", load.perMinute()));
        loadCounters.put(name, counter);
    }

    private long messagesReceived() {
        return metrics.messagesIn() - ownMessages;
    }

    private void publishSafely() {
        try {
            publish();
        } catch (RuntimeException e) {
            // A failing tick must not cancel the schedule (a thrown exception would).
            LOG.log(Level.WARNING, "could not publish $SYS topics", e);
        }
    }

    /** One tick: updates the load figures and publishes every value that changed since the last tick. */
    void publish() {
        long now = System.nanoTime();
        double elapsed = (now - lastTickNanos) / 1e9;
        lastTickNanos = now;
        loads.forEach((name, load) -> load.update(loadCounters.get(name).getAsLong(), elapsed));
        for (Topic t : topics) {
            String value = t.value().get();
            if (value.equals(lastPublished.put(t.name(), value))) {
                continue;
            }
            byte[] payload = value.getBytes(StandardCharsets.UTF_8);
            ownMessages++;
            ownBytes += payload.length;
            broker.router().route(new ApplicationMessage(t.name(), payload, 0, true, PublishProperties.NONE), null);
        }
    }

    @Override
    public void close() {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
    }
}
