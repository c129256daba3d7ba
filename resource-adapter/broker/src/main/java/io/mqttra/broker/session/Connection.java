package io.mqttra.broker.session;

import io.netty.util.concurrent.EventExecutor;

/**
 * What a session sends its messages through: a network connection, or a local subscriber inside the server.
 * Called only from the session's tasks.
 */
public interface Connection {

    /** Event loop the session should run on while this connection is attached. */
    EventExecutor eventLoop();

    /** MQTT protocol level of the connection: 3, 4 (3.1.1) or 5. */
    int protocolLevel();

    /** Client's Receive Maximum: how many QoS 1/2 PUBLISHes may be unacknowledged at once (MQTT 5 [MQTT-3.3.4-9]). */
    int receiveMaximum();

    /**
     * Sends a PUBLISH; without flushing (the session flushes once per batch).
     *
     * @return false when the message cannot be sent to this client (larger than its Maximum Packet Size
     *         [MQTT-3.1.2-25]); the session then discards it as if acknowledged
     */
    boolean sendPublish(OutgoingMessage message, boolean dup);

    /** QoS 2, second step: sends PUBREL for a packet whose PUBREC arrived. */
    void sendPubRel(int packetId);

    /** True once the connection is going away: new messages are queued for the session instead of sent. */
    default boolean isClosing() {
        return false;
    }

    /** True for a subscriber inside the server (no socket): its session holds publishers back instead of dropping. */
    default boolean isLocal() {
        return false;
    }

    /** Writes buffered packets to the network. */
    void flush();

    /**
     * False while the network does not take more bytes (the outbound buffer is above its high-water mark); the
     * session then holds its retained backlog until {@link Session#writable()} says the buffer drained.
     */
    default boolean isWritable() {
        return true;
    }

    /** Another connection took the session over: close this one (MQTT 5: DISCONNECT 0x8E) [MQTT-3.1.4-3]. */
    void closeForTakeover();

    /** The session ended from the server side (expired, or the broker stops): close without a will. */
    void close();

    // For operators (admin view, console): what a connection is, and closing it on their request.

    /** Where the client connects from ({@code host:port}); null for a session without a socket (inside the server). */
    default String remoteAddress() {
        return null;
    }

    /** Keep alive in force for this connection, in seconds; 0 when none. */
    default int keepAliveSeconds() {
        return 0;
    }

    /**
     * An operator closes the connection (MQTT 5: DISCONNECT 0x98, Administrative action). Unlike {@link #close()}
     * the session sees an ordinary end of connection, so the will is published [MQTT-3.1.2-8].
     */
    default void closeByAdministrator() {
        close();
    }

    /**
     * The broker stops: MQTT 5 clients get DISCONNECT 0x8B (Server shutting down) before the connection closes, so
     * that they know to come back later; a session inside the server has no client to tell.
     */
    default void closeForShutdown() {}
}
