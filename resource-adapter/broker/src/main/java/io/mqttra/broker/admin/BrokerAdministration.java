package io.mqttra.broker.admin;

import io.mqttra.api.MqttException;
import io.mqttra.api.admin.BeanDeliveries;
import io.mqttra.api.admin.BrokerOverview;
import io.mqttra.api.admin.ClientInfo;
import io.mqttra.api.admin.MetricsSnapshot;
import io.mqttra.api.admin.MqttBrokerAdmin;
import io.mqttra.api.admin.RetainedMessageInfo;
import io.mqttra.api.admin.SessionInfo;
import io.mqttra.api.admin.StoreCommits;
import io.mqttra.api.admin.SubscriptionInfo;
import io.mqttra.broker.ApplicationMessage;
import io.mqttra.broker.BrokerMetrics;
import io.mqttra.broker.MqttBroker;
import io.mqttra.broker.routing.RetainedMessages;
import io.mqttra.broker.routing.Subscription;
import io.mqttra.broker.routing.Topics;
import io.mqttra.broker.session.BrokerContext;
import io.mqttra.broker.session.Connection;
import io.mqttra.broker.session.Session;
import io.mqttra.broker.store.CommitStatistics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntToLongFunction;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The operators' view of one broker: reads the session registry, the subscriptions and the retained messages,
 * and carries out the console's actions. Nothing here is on a message's path: it runs only when asked.
 */
public final class BrokerAdministration implements MqttBrokerAdmin {

    private static final Logger LOG = Logger.getLogger(BrokerAdministration.class.getName());
    private static final long ACTION_TIMEOUT_MILLIS = 5_000;

    private final MqttBroker broker;
    private final Supplier<BrokerContext> context;
    private final SessionSnapshots snapshots = new SessionSnapshots(2_000);

    /**
     * @param broker  the broker, for its listeners and counters
     * @param context the running broker's shared parts; gives null while the broker is stopped
     */
    public BrokerAdministration(MqttBroker broker, Supplier<BrokerContext> context) {
        this.broker = broker;
        this.context = context;
    }

    @Override
    public BrokerOverview overview() {
        BrokerContext ctx = context.get();
        if (ctx == null) {
            return new BrokerOverview(false, List.of(), false, "broker not running", snapshot(List.of()));
        }
        List<String> listeners;
        try {
            listeners = listeners(ctx.config().bindAddress());
        } catch (IllegalStateException e) {
            return new BrokerOverview(false, List.of(), false, "broker not running", snapshot(List.of()));
        }
        String storeKind = ctx.stores().sessions().getClass().getSimpleName();
        boolean reachable;
        String status;
        try {
            ctx.stores().sessions().ping();
            reachable = true;
            status = storeKind + " reachable";
        } catch (RuntimeException e) {
            reachable = false;
            status = storeKind + " unreachable: " + e.getMessage();
            // One line: readiness probes repeat this every few seconds while the store is down.
            LOG.warning(() -> "store probe failed: " + e);
        }
        return new BrokerOverview(true, listeners, reachable, status, snapshot(snapshots.all(ctx.registry())));
    }

    private List<String> listeners(String address) {
        List<String> out = new ArrayList<>(4);
        out.add("tcp://" + address + ":" + broker.port());
        if (broker.tlsPort() >= 0) {
            out.add("ssl://" + address + ":" + broker.tlsPort());
        }
        if (broker.wsPort() >= 0) {
            out.add("ws://" + address + ":" + broker.wsPort() + broker.config().wsPath());
        }
        if (broker.wssPort() >= 0) {
            out.add("wss://" + address + ":" + broker.wssPort()
                    + broker.config().wsPath());
        }
        return out;
    }

    @Override
    public MetricsSnapshot metrics() {
        BrokerContext ctx = context.get();
        return snapshot(ctx == null ? List.of() : snapshots.all(ctx.registry()));
    }

    private MetricsSnapshot snapshot(List<SessionSnapshot> sessions) {
        BrokerMetrics metrics = broker.metrics();
        long queued = 0;
        long inflight = 0;
        for (SessionSnapshot s : sessions) {
            queued += s.queued();
            inflight += s.inflight();
        }
        return new MetricsSnapshot(
                System.currentTimeMillis(),
                metrics.connections(),
                metrics.connectionsTotal(),
                metrics.connectionsRejected(),
                metrics.sessions(),
                metrics.subscriptions(),
                metrics.retainedMessages(),
                perQos(metrics::messagesIn),
                perQos(metrics::messagesOut),
                perQos(metrics::bytesIn),
                perQos(metrics::bytesOut),
                metrics.messagesDropped(),
                queued,
                inflight,
                metrics.protocolErrors(),
                new BeanDeliveries(metrics.mdbDeliveries(), metrics.mdbRedeliveries(), metrics.mdbDeadLetters()),
                storeCommits(metrics.storeCommits()));
    }

    private static StoreCommits storeCommits(CommitStatistics c) {
        return new StoreCommits(c.commits(), c.writes(), c.totalNanos(), c.maxNanos(), c.lastNanos());
    }

    private static List<Long> perQos(IntToLongFunction byQos) {
        return List.of(byQos.applyAsLong(0), byQos.applyAsLong(1), byQos.applyAsLong(2));
    }

    @Override
    public List<ClientInfo> clients() {
        List<ClientInfo> out = new ArrayList<>();
        for (SessionSnapshot s : snapshots.all(running().registry())) {
            if (s.networkClient() && out.size() < MAX_ROWS) {
                out.add(new ClientInfo(
                        s.clientId(),
                        s.remoteAddress(),
                        s.protocolVersion(),
                        s.keepAliveSeconds(),
                        s.expirySeconds(),
                        s.inflight(),
                        s.queued(),
                        s.subscriptions().size()));
            }
        }
        return out;
    }

    @Override
    public List<SessionInfo> sessions() {
        List<SessionInfo> out = new ArrayList<>();
        for (SessionSnapshot s : snapshots.all(running().registry())) {
            if (out.size() == MAX_ROWS) {
                break;
            }
            out.add(new SessionInfo(
                    s.clientId(),
                    s.connected(),
                    s.local(),
                    s.persistent(),
                    s.protocolVersion(),
                    s.expirySeconds(),
                    s.inflight(),
                    s.queued(),
                    s.subscriptions().size()));
        }
        return out;
    }

    @Override
    public List<SubscriptionInfo> subscriptions() {
        List<SubscriptionInfo> out = new ArrayList<>();
        for (SessionSnapshot s : snapshots.all(running().registry())) {
            List<Subscription> subs = new ArrayList<>(s.subscriptions());
            subs.sort(Comparator.comparing(Subscription::fullFilter));
            for (Subscription sub : subs) {
                if (out.size() == MAX_ROWS) {
                    return out;
                }
                out.add(new SubscriptionInfo(
                        s.clientId(),
                        sub.fullFilter(),
                        sub.shareGroup(),
                        sub.qos(),
                        sub.noLocal(),
                        sub.retainAsPublished(),
                        sub.retainHandling(),
                        sub.subscriptionIdentifier()));
            }
        }
        return out;
    }

    @Override
    public List<RetainedMessageInfo> retained(String topicFilter, int limit) {
        if (topicFilter == null || Topics.isShared(topicFilter) || !Topics.isValidFilter(topicFilter)) {
            throw new IllegalArgumentException("not a valid MQTT topic filter: '" + topicFilter + "'");
        }
        if (limit < 1 || limit > MAX_ROWS) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_ROWS + ": " + limit);
        }
        List<RetainedMessages.Retained> matches = running().retained().match(topicFilter);
        matches.sort(Comparator.comparing(r -> r.message().topic()));
        List<RetainedMessageInfo> out = new ArrayList<>(Math.min(limit, matches.size()));
        for (RetainedMessages.Retained r : matches.subList(0, Math.min(limit, matches.size()))) {
            ApplicationMessage m = r.message();
            PayloadPreview preview = PayloadPreview.of(m.payload(), RetainedMessageInfo.PREVIEW_BYTES);
            out.add(new RetainedMessageInfo(
                    m.topic(),
                    m.qos(),
                    m.payload().length,
                    preview.text(),
                    preview.isText(),
                    m.properties().contentType(),
                    m.properties().messageExpiryInterval()));
        }
        return out;
    }

    @Override
    public boolean disconnect(String clientId) {
        BrokerContext ctx = running();
        Session s = ctx.registry().get(clientId);
        if (s == null) {
            return false;
        }
        return act(s, "disconnect " + clientId, () -> {
            Connection c = s.connection();
            if (c == null) {
                return false;
            }
            if (c.remoteAddress() == null) {
                throw new MqttException("client '" + clientId + "' is a session of a message-driven bean inside"
                        + " the server, not a network client: stop or undeploy the bean instead");
            }
            c.closeByAdministrator();
            return true;
        });
    }

    @Override
    public boolean purgeSession(String clientId) {
        BrokerContext ctx = running();
        Session s = ctx.registry().get(clientId);
        if (s == null) {
            return false;
        }
        return act(s, "purge session " + clientId, () -> {
            Connection c = s.connection();
            if (c != null && c.remoteAddress() == null) {
                throw new MqttException("session '" + clientId + "' belongs to a message-driven bean inside the"
                        + " server; it ends when the bean is undeployed");
            }
            if (c != null) {
                // MQTT 5 clients learn why; the session below ends first, so no will follows: purging deletes it.
                c.closeByAdministrator();
            }
            s.terminate(true);
            LOG.info(() -> "session " + clientId + " purged by an administrator");
            return true;
        });
    }

    @Override
    public boolean deleteRetained(String topic) {
        if (topic == null || !Topics.isValidTopicName(topic)) {
            throw new IllegalArgumentException("not a valid MQTT topic name: '" + topic + "'");
        }
        BrokerContext ctx = running();
        // A topic name without wildcards is a filter that matches exactly that topic.
        if (ctx.retained().match(topic).isEmpty()) {
            return false;
        }
        ctx.retained().remove(topic);
        await(ctx.stores().retained().remove(topic), "delete retained message on " + topic);
        LOG.info(() -> "retained message on " + topic + " deleted by an administrator");
        return true;
    }

    private BrokerContext running() {
        BrokerContext ctx = context.get();
        if (ctx == null) {
            throw new MqttException("the MQTT broker is not running");
        }
        return ctx;
    }

    /** Runs an action as a task of the session (which owns its state) and waits for its answer. */
    private static boolean act(Session s, String what, Supplier<Boolean> action) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        s.execute(() -> {
            try {
                result.complete(action.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return await(result, what);
    }

    private static <T> T await(CompletableFuture<T> f, String what) {
        try {
            return f.get(ACTION_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MqttException("interrupted: " + what, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof MqttException me) {
                throw me;
            }
            throw new MqttException("could not " + what + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new MqttException("could not " + what + " within " + ACTION_TIMEOUT_MILLIS + " ms", e);
        }
    }
}
