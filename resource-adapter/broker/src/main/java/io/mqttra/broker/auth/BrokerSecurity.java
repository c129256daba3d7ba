package io.mqttra.broker.auth;

import io.mqttra.broker.BrokerMetrics;
import io.mqttra.broker.config.BrokerConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * The broker's security at the connection boundary: runs the {@link Authenticator} for a CONNECT (with a
 * timeout, and with failed logins counted and their refusals delayed by the {@link LoginThrottle}), and hands
 * each accepted connection its {@link TopicPermissions}.
 *
 * <p>All timing is scheduled on the connection's event loop: nothing here sleeps or blocks.
 */
public final class BrokerSecurity {

    private static final Logger LOG = Logger.getLogger(BrokerSecurity.class.getName());

    private final Authenticator authenticator;
    private final Authorizer authorizer;
    private final LoginThrottle throttle;
    private final long timeoutMillis;
    private final BrokerMetrics metrics;
    private final LongAdder loginFailures = new LongAdder();
    private final LongAdder deniedPublishes = new LongAdder();
    private final LongAdder deniedSubscriptions = new LongAdder();
    private final LongAdder deniedDeliveries = new LongAdder();

    /**
     * @param authenticator null: every client is let in as {@link MqttPrincipal#ANONYMOUS}
     * @param authorizer    null: every principal may do everything
     * @param sysAdminOnly  when true, only principals with {@code adminRole} may read {@code $SYS}
     * @param adminRole     the admin role for {@code $SYS}
     * @param throttle      slows down refusals after failed logins
     * @param timeoutMillis how long the authenticator may take before the CONNECT is refused as unavailable
     * @param metrics       where login failures and ACL denials are counted (may be null)
     */
    public BrokerSecurity(
            Authenticator authenticator,
            Authorizer authorizer,
            boolean sysAdminOnly,
            String adminRole,
            LoginThrottle throttle,
            long timeoutMillis,
            BrokerMetrics metrics) {
        this.authenticator = authenticator;
        Authorizer base = authorizer == null ? Authorizer.permitAll() : authorizer;
        this.authorizer = sysAdminOnly ? new SysTopicGuard(base, adminRole) : base;
        this.throttle = java.util.Objects.requireNonNull(throttle, "throttle");
        this.timeoutMillis = timeoutMillis;
        this.metrics = metrics;
    }

    /**
     * The security a broker configuration asks for. The CONNECT must be answered within the connect timeout (after
     * which the connection is closed without CONNACK), so the identity store gets three quarters of it and the
     * delay of a refusal is capped at half of it.
     */
    public static BrokerSecurity of(BrokerConfig config, BrokerMetrics metrics) {
        long connectTimeout = config.connectTimeoutSeconds() * 1000L;
        long maxDelay = Math.min(config.maxLoginFailureDelayMillis(), connectTimeout / 2);
        return new BrokerSecurity(
                config.authenticator(),
                config.authorizer(),
                config.sysAdminOnly(),
                config.adminRole(),
                new LoginThrottle(Math.min(config.loginFailureDelayMillis(), maxDelay), maxDelay),
                connectTimeout * 3 / 4,
                metrics);
    }

    /** No authentication, no ACLs: what an unconfigured broker does (and why it listens on loopback only). */
    public static BrokerSecurity none() {
        return new BrokerSecurity(null, null, false, "none", new LoginThrottle(0, 0), 10_000, null);
    }

    public boolean authenticates() {
        return authenticator != null;
    }

    /**
     * Authenticates a CONNECT. The returned stage completes on {@code eventLoop}: at once for a grant, after the
     * throttle's delay for a refusal because of bad credentials, and as {@link Refusal#UNAVAILABLE} when the
     * authenticator fails or exceeds the timeout.
     */
    public CompletionStage<AuthResult> login(Credentials credentials, ScheduledExecutorService eventLoop) {
        if (authenticator == null) {
            return CompletableFuture.completedFuture(AuthResult.granted(MqttPrincipal.ANONYMOUS));
        }
        CompletableFuture<AuthResult> answer = new CompletableFuture<>();
        ScheduledFuture<?> timeout = eventLoop.schedule(
                () -> answer.complete(AuthResult.refused(
                        Refusal.UNAVAILABLE, "the identity store did not answer within " + timeoutMillis + " ms")),
                timeoutMillis,
                TimeUnit.MILLISECONDS);
        CompletionStage<AuthResult> pending;
        try {
            pending = authenticator.authenticate(credentials);
        } catch (RuntimeException e) {
            pending = CompletableFuture.failedFuture(e);
        }
        pending.whenComplete((result, failure) -> eventLoop.execute(() -> {
            timeout.cancel(false);
            if (answer.isDone()) {
                return; // timed out already
            }
            AuthResult r = failure != null
                    ? AuthResult.refused(Refusal.UNAVAILABLE, "the identity store failed: " + failure)
                    : result == null
                            ? AuthResult.refused(Refusal.UNAVAILABLE, "the identity store gave no answer")
                            : result;
            if (r instanceof AuthResult.Refused refused && refused.reason().isLoginFailure()) {
                loginFailures.increment();
                if (metrics != null) {
                    metrics.loginFailed();
                }
                LoginThrottle.Penalty penalty = throttle.failed(credentials.remoteAddress());
                LOG.info(() -> "failed login of " + credentials + ": " + refused.detail() + " (failure "
                        + penalty.consecutiveFailures() + " in a row from this address; refusing in "
                        + penalty.delayMillis() + " ms)");
                if (penalty.delayMillis() > 0) {
                    eventLoop.schedule(() -> answer.complete(r), penalty.delayMillis(), TimeUnit.MILLISECONDS);
                    return;
                }
            } else if (r instanceof AuthResult.Granted) {
                throttle.succeeded(credentials.remoteAddress());
            }
            answer.complete(r);
        }));
        return answer;
    }

    /** The permissions of an accepted connection, compiled once for its principal and client id. */
    public TopicPermissions permissions(MqttPrincipal principal, String clientId) {
        return BrokerOwnedSys.readOnly(authorizer.permissions(principal, clientId));
    }

    public void publishDenied() {
        deniedPublishes.increment();
        if (metrics != null) {
            metrics.accessDenied();
        }
    }

    public void subscriptionDenied() {
        deniedSubscriptions.increment();
        if (metrics != null) {
            metrics.accessDenied();
        }
    }

    public void deliveryDenied() {
        deniedDeliveries.increment();
        if (metrics != null) {
            metrics.accessDenied();
        }
    }

    /** CONNECTs refused because of a wrong user name or password, since start. */
    public long loginFailures() {
        return loginFailures.sum();
    }

    /** PUBLISHes from clients dropped because the ACL did not allow the topic. */
    public long deniedPublishes() {
        return deniedPublishes.sum();
    }

    /** Topic filters of SUBSCRIBEs refused because the ACL did not allow them. */
    public long deniedSubscriptions() {
        return deniedSubscriptions.sum();
    }

    /** Matched messages not delivered because the receiving principal may not read their topic. */
    public long deniedDeliveries() {
        return deniedDeliveries.sum();
    }

    /**
     * Says in the log who may connect. Without authentication that is anyone who can reach the listener, so a
     * non-loopback address gets a warning (the resource adapter refuses one unless explicitly allowed).
     */
    public void logListener(String bindAddress) {
        if (authenticator != null) {
            LOG.info(() -> "MQTT clients must authenticate: " + this);
        } else if (isLoopback(bindAddress)) {
            LOG.info(() -> "MQTT authentication is not configured: listening on loopback " + bindAddress
                    + " only, so only clients on this machine can connect");
        } else {
            LOG.warning(() -> "MQTT authentication is not configured and the listener is on " + bindAddress
                    + ": anyone who reaches it can publish and subscribe");
        }
    }

    static boolean isLoopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    public LoginThrottle throttle() {
        return throttle;
    }

    @Override
    public String toString() {
        return (authenticator == null ? "no authentication" : "authentication by " + authenticator)
                + ", authorization by " + authorizer;
    }
}
