package io.mqttra.samples.sysmonitor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DroppedMessagesTest {

    @Test
    void growingTotalIsReportedWithTheDifference() {
        assertThat(DroppedMessages.warning("3", "5"))
                .contains("The MQTT broker dropped 2 more message(s) (5 since it started)");
    }

    @Test
    void firstValueSeenIsReportedWhenAnythingWasDropped() {
        assertThat(DroppedMessages.warning(null, "4")).contains("The MQTT broker has dropped 4 message(s) so far");
        assertThat(DroppedMessages.warning(null, "0")).isEmpty();
    }

    @Test
    void unchangedOrRestartedCountOrGarbageIsNotReported() {
        assertThat(DroppedMessages.warning("5", "5")).isEmpty();
        assertThat(DroppedMessages.warning("5", "1")).as("broker restarted").isEmpty();
        assertThat(DroppedMessages.warning("5", "many")).isEmpty();
    }
}
