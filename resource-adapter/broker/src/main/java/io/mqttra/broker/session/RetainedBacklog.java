package io.mqttra.broker.session;

import io.mqttra.broker.routing.RoutedMessage;
import io.mqttra.broker.store.MessageStore;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The retained messages a new subscription matched and its session has not sent yet. A '#' subscriber may
 * match tens of thousands: they wait here, outside the session's bounded queue (they are in memory as retained
 * messages anyway), and leave as the client makes room: QoS 1/2 within its Receive Maximum [MQTT-3.3.4-9],
 * QoS 0 while the socket takes bytes. None is dropped for lack of room. Live QoS 0 messages that arrive
 * meanwhile line up behind them (a bounded number), so they keep their order. Confined to the session's tasks.
 */
final class RetainedBacklog {

    private record Entry(RoutedMessage message, boolean live) {}

    private final ArrayDeque<Entry> pending = new ArrayDeque<>();
    private int live;

    void addAll(List<RoutedMessage> messages) {
        for (RoutedMessage m : messages) {
            pending.add(new Entry(m, false));
        }
    }

    /** Queues a live QoS 0 message; false (dropped) when {@code limit} of them wait already. */
    boolean addLive(RoutedMessage m, int limit) {
        if (live >= limit) {
            return false;
        }
        live++;
        pending.add(new Entry(m, true));
        return true;
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    void clear() {
        pending.clear();
        live = 0;
    }

    /** Sends what the connection has room for; the rest waits for an acknowledgement or for writability. */
    void drain(Session session) {
        Entry e;
        while ((e = pending.peek()) != null && session.canSend(e.message().qos())) {
            pending.poll();
            if (e.live()) {
                live--;
            }
            session.sendFromBacklog(e.message());
        }
    }

    /** The store entry of a persistent session's QoS 1/2 retained delivery, made when it leaves the backlog. */
    static MessageStore.Reference reference(String clientId, RoutedMessage m) {
        return new MessageStore.Reference(clientId, m.qos(), m.retain(), m.subscriptionIdentifiers());
    }
}
