package io.mqttra.ra;

import java.nio.charset.StandardCharsets;

/**
 * The MQTT rules for topic names and topic filters (section 4.7 of MQTT 3.1.1 and 5.0), checked where applications
 * hand them to the adapter so that a mistake shows up as a clear error at the application's call or deployment.
 */
public final class Topics {

    private static final int MAX_UTF8_BYTES = 65_535;
    private static final String SHARE_PREFIX = "$share/";

    private Topics() {}

    /**
     * Checks a topic name that a message is published to.
     *
     * @return the reason it is invalid, or null when it is valid
     */
    public static String topicNameProblem(String topic) {
        String common = commonProblem(topic);
        if (common != null) {
            return common;
        }
        // [MQTT-4.7.1-1] [MQTT-3.3.2-2] wildcards are only for subscribing
        if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
            return "a topic name must not contain the wildcards '+' or '#'";
        }
        return null;
    }

    /**
     * Checks a topic filter that is subscribed to, including the shared form {@code $share/<group>/<filter>}.
     *
     * @return the reason it is invalid, or null when it is valid
     */
    public static String topicFilterProblem(String filter) {
        String common = commonProblem(filter);
        if (common != null) {
            return common;
        }
        String plain = filter;
        if (filter.startsWith(SHARE_PREFIX)) {
            int slash = filter.indexOf('/', SHARE_PREFIX.length());
            String group = slash < 0
                    ? filter.substring(SHARE_PREFIX.length())
                    : filter.substring(SHARE_PREFIX.length(), slash);
            // [MQTT-4.8.2-1] [MQTT-4.8.2-2] a non-empty share name without '/', '+', '#', then '/' and a filter
            if (group.isEmpty() || group.indexOf('+') >= 0 || group.indexOf('#') >= 0) {
                return "the share name of a shared subscription must be non-empty and contain no '+' or '#'";
            }
            if (slash < 0 || slash == filter.length() - 1) {
                return "a shared subscription needs a topic filter after $share/" + group + "/";
            }
            plain = filter.substring(slash + 1);
        }
        String[] levels = plain.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            // [MQTT-4.7.1-2] '#' alone in the last level
            if (level.indexOf('#') >= 0 && (!level.equals("#") || i != levels.length - 1)) {
                return "'#' must be the last level of a topic filter and stand alone in it";
            }
            // [MQTT-4.7.1-3] '+' fills a whole level
            if (level.indexOf('+') >= 0 && !level.equals("+")) {
                return "'+' must fill a whole level of a topic filter";
            }
        }
        return null;
    }

    /**
     * Whether a topic name matches a filter (a shared subscription's filter is matched without its prefix).
     * Used only as a fallback: the broker normally tells which subscriptions matched.
     */
    public static boolean matches(String filter, String topic) {
        String plain = filter;
        if (filter.startsWith(SHARE_PREFIX)) {
            int slash = filter.indexOf('/', SHARE_PREFIX.length());
            plain = filter.substring(slash + 1);
        }
        // [MQTT-4.7.2-1] filters starting with a wildcard do not match topics starting with '$'
        if (topic.startsWith("$") && (plain.startsWith("+") || plain.startsWith("#"))) {
            return false;
        }
        String[] f = plain.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true; // also matches the parent level: "a/#" matches "a"
            }
            if (i >= t.length) {
                return false;
            }
            if (!f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return f.length == t.length;
    }

    private static String commonProblem(String text) {
        // [MQTT-4.7.3-1] at least one character
        if (text == null || text.isEmpty()) {
            return "a topic must be at least one character long";
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            // [MQTT-4.7.3-2] no U+0000
            if (c == '\u0000') {
                return "a topic must not contain the null character U+0000";
            }
            // [MQTT-1.5.4-1] (5.0) / [MQTT-1.5.3-1] (3.1.1) well-formed UTF-8: no lone surrogates
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return "a topic must be well-formed UTF-8 (lone surrogate at index " + i + ")";
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return "a topic must be well-formed UTF-8 (lone surrogate at index " + i + ")";
            }
        }
        // [MQTT-4.7.3-3] at most 65,535 bytes of UTF-8
        if (text.length() > MAX_UTF8_BYTES / 3 && text.getBytes(StandardCharsets.UTF_8).length > MAX_UTF8_BYTES) {
            return "a topic must not be longer than 65,535 bytes in UTF-8";
        }
        return null;
    }
}
