package io.mqttra.broker.session;

import io.mqttra.broker.routing.RoutedMessage;

/** A QoS 0/1/2 delivery from the broker to one session, and where it is in its acknowledgement flow. */
public final class OutgoingMessage {

    private final RoutedMessage routed;
    private final boolean stored;
    private int packetId;
    private boolean released;
    // Written by the thread that delivers to a local subscriber, read when the session resends: volatile.
    private volatile int deliveryCount;

    public OutgoingMessage(RoutedMessage routed, boolean stored) {
        this.routed = routed;
        this.stored = stored;
    }

    public RoutedMessage routed() {
        return routed;
    }

    /** True when the message store holds a reference for this session (the session is persistent). */
    public boolean stored() {
        return stored;
    }

    public int packetId() {
        return packetId;
    }

    void packetId(int id) {
        this.packetId = id;
    }

    /** QoS 2: PUBREC received; what remains is PUBREL/PUBCOMP. */
    public boolean released() {
        return released;
    }

    void release() {
        this.released = true;
    }

    /** Delivery attempts to a local subscriber begun so far, also before a restart when the message is stored. */
    public int deliveryCount() {
        return deliveryCount;
    }

    void deliveryCount(int count) {
        this.deliveryCount = count;
    }
}
