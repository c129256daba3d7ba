package io.mqttra.broker.admin;

import io.mqttra.broker.routing.Subscription;
import io.mqttra.broker.session.Connection;
import io.mqttra.broker.session.Session;
import java.util.List;

/**
 * What one session looked like at one moment, read on the session's own executor so that the values belong together.
 *
 * @param remoteAddress null when no network connection is attached
 */
record SessionSnapshot(
        String clientId,
        boolean connected,
        boolean local,
        boolean persistent,
        int protocolLevel,
        long expirySeconds,
        int inflight,
        int queued,
        List<Subscription> subscriptions,
        String remoteAddress,
        int keepAliveSeconds) {

    /** Must run as a task of the session. */
    static SessionSnapshot of(Session s) {
        Connection c = s.connection();
        String address = c == null ? null : c.remoteAddress();
        return new SessionSnapshot(
                s.clientId(),
                c != null,
                c != null && address == null,
                s.isPersistent(),
                s.protocolLevel(),
                s.expirySeconds(),
                s.inflightCount(),
                s.queuedCount(),
                s.subscriptions(),
                address,
                c == null ? 0 : c.keepAliveSeconds());
    }

    boolean networkClient() {
        return remoteAddress != null;
    }

    /** The protocol version as the standards name it. */
    String protocolVersion() {
        return switch (protocolLevel) {
            case 3 -> "3.1";
            case 4 -> "3.1.1";
            case 5 -> "5.0";
            default -> "level " + protocolLevel;
        };
    }
}
