package io.mqttra.ra.inflow;

/**
 * What happens to a message a bean did not take (its method threw, or its transaction rolled back): it is delivered
 * again, flagged DUP, after {@code delayMillis}, at most {@code limit} more times; then it goes to the dead-letter
 * topic (or, without one, is dropped with a log line).
 *
 * @param limit           redeliveries after the first attempt (0: none)
 * @param delayMillis     pause before each redelivery
 * @param deadLetterTopic where a message goes after the last failed attempt; null to drop it
 */
record RedeliveryPolicy(int limit, long delayMillis, String deadLetterTopic) {

    /** Whether a message that failed {@code attempts} times gets another one. */
    boolean allowsAnother(int attempts) {
        return attempts <= limit;
    }
}
