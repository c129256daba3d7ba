package io.mqttra.samples.sysmonitor;

import java.util.Optional;

/**
 * Tells from two successive values of {@code $SYS/broker/publish/messages/dropped} (a total since the broker
 * started) whether the broker dropped messages in between: a full session queue, an expired message or one too
 * large for its client means some subscriber missed something, which an operator wants to hear of.
 */
final class DroppedMessages {

    static final String TOPIC = "$SYS/broker/publish/messages/dropped";

    private DroppedMessages() {}

    /**
     * @param previous the value seen before, or null when this is the first one seen (it may be a retained total
     *                 from long ago, so any drop it reports is stated as "so far")
     * @return the warning to log, empty when nothing new was dropped or a value is not a number
     */
    static Optional<String> warning(String previous, String current) {
        long now;
        long before;
        try {
            now = Long.parseLong(current.trim());
            before = previous == null ? 0 : Long.parseLong(previous.trim());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (now <= before) {
            return Optional.empty(); // unchanged, or the broker restarted and counts from 0 again
        }
        return Optional.of(
                previous == null
                        ? "The MQTT broker has dropped " + now + " message(s) so far"
                        : "The MQTT broker dropped " + (now - before) + " more message(s) (" + now
                                + " since it started)");
    }
}
