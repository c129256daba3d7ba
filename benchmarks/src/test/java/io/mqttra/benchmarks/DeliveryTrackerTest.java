package io.mqttra.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The counting that every loss and duplicate figure of the benchmark rests on. */
class DeliveryTrackerTest {

    private static ByteBuffer message(int publisher, long seq) {
        return ByteBuffer.wrap(Payload.encode(publisher, seq, System.nanoTime(), 64));
    }

    @Test
    void countsEachSequenceNumberOncePerPublisherAndTheRepeatsAsDuplicates() {
        DeliveryTracker tracker = new DeliveryTracker(2, 100);
        tracker.onMessage(message(0, 0));
        tracker.onMessage(message(0, 1));
        tracker.onMessage(message(1, 0));
        tracker.onMessage(message(0, 1));

        assertThat(tracker.unique()).isEqualTo(3);
        assertThat(tracker.duplicates()).isEqualTo(1);
        assertThat(tracker.latency().size()).isEqualTo(3);
    }

    @Test
    void countsAMessageBelowTheHighestSeenAsReordered() {
        DeliveryTracker tracker = new DeliveryTracker(1, 100);
        tracker.onMessage(message(0, 2));
        tracker.onMessage(message(0, 1));

        assertThat(tracker.reordered()).isEqualTo(1);
        assertThat(tracker.unique()).isEqualTo(2);
    }

    @Test
    void countsPayloadsOfAnotherFormatOrPublisherAsForeign() {
        DeliveryTracker tracker = new DeliveryTracker(1, 100);
        tracker.onMessage(ByteBuffer.wrap("{\"status\":\"ON\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        tracker.onMessage(message(5, 0));
        tracker.onMessage(ByteBuffer.allocate(0));

        assertThat(tracker.foreign()).isEqualTo(3);
        assertThat(tracker.unique()).isZero();
    }

    @Test
    void deliveriesReportWhatWasSentButNeverArrivedAsLost() {
        Deliveries deliveries = new Deliveries();
        DeliveryTracker tracker = deliveries.newTracker(1, 10);
        tracker.onMessage(message(0, 0));
        boolean all = deliveries.awaitAll(2, 50, System.nanoTime() + 5_000_000_000L);

        Result r = new Result(
                "s",
                "b",
                Result.Kind.MESSAGES,
                2,
                deliveries.unique(),
                1,
                0,
                0,
                0,
                deliveries.duplicates(),
                0,
                Double.NaN,
                "");
        assertThat(all).isFalse();
        assertThat(r.lost()).isEqualTo(1);
    }
}
