package io.mqttra.benchmarks;

import java.nio.ByteBuffer;

/**
 * Layout of every benchmark payload: publisher id, sequence number and the intended send time, padded to the
 * requested size. Loss and duplicates are counted from the sequence numbers; latency from the timestamp (publisher
 * and subscribers share this JVM, so System.nanoTime is one clock).
 */
final class Payload {

    static final int HEADER = Integer.BYTES + Long.BYTES + Long.BYTES;

    private Payload() {}

    static byte[] encode(int publisher, long seq, long sendNanos, int size) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(HEADER, size));
        b.putInt(publisher).putLong(seq).putLong(sendNanos);
        return b.array();
    }

    static int publisher(ByteBuffer payload) {
        return payload.getInt(payload.position());
    }

    static long seq(ByteBuffer payload) {
        return payload.getLong(payload.position() + Integer.BYTES);
    }

    static long sendNanos(ByteBuffer payload) {
        return payload.getLong(payload.position() + Integer.BYTES + Long.BYTES);
    }

    static boolean wellFormed(ByteBuffer payload) {
        return payload != null && payload.remaining() >= HEADER;
    }
}
