package io.mqttra.broker.routing;

import java.nio.charset.StandardCharsets;

/** Syntax rules for topic names and topic filters (MQTT 3.1.1 section 4.7, MQTT 5.0 section 4.7). */
public final class Topics {

    /** Prefix of a shared subscription filter (MQTT 5.0 section 4.8.2). */
    public static final String SHARE_PREFIX = "$share/";

    private Topics() {}

    /**
     * A topic name that may be published to: at least one character [MQTT-4.7.3-1], no wildcards
     * [MQTT-3.3.2-2], no U+0000 [MQTT-1.5.3-2], at most 65535 bytes of UTF-8.
     */
    public static boolean isValidTopicName(String topic) {
        if (topic == null || topic.isEmpty() || !fitsUtf8Length(topic)) {
            return false;
        }
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '+' || c == '#' || c == '\u0000') {
                return false;
            }
        }
        return true;
    }

    /**
     * A topic filter that may be subscribed to: non-empty [MQTT-4.7.3-1]; '#' only as the last level and
     * alone in it [MQTT-4.7.1-2]; '+' alone in its level [MQTT-4.7.1-3]; no U+0000.
     * Shared filters are checked with {@link SharedFilter#parse}.
     */
    public static boolean isValidFilter(String filter) {
        if (filter == null || filter.isEmpty() || !fitsUtf8Length(filter)) {
            return false;
        }
        int len = filter.length();
        for (int i = 0; i < len; i++) {
            char c = filter.charAt(i);
            if (c == '\u0000') {
                return false;
            }
            if (c == '#') {
                boolean levelStart = i == 0 || filter.charAt(i - 1) == '/';
                if (!levelStart || i != len - 1) {
                    return false;
                }
            } else if (c == '+') {
                boolean levelStart = i == 0 || filter.charAt(i - 1) == '/';
                boolean levelEnd = i == len - 1 || filter.charAt(i + 1) == '/';
                if (!levelStart || !levelEnd) {
                    return false;
                }
            }
        }
        return true;
    }

    public static boolean hasWildcard(String filter) {
        return filter.indexOf('+') >= 0 || filter.indexOf('#') >= 0;
    }

    public static boolean isShared(String filter) {
        return filter.startsWith(SHARE_PREFIX);
    }

    /**
     * Whether a topic name matches a filter, honouring that wildcards at the first level do not match
     * topics starting with '$' [MQTT-4.7.2-1]. Used for single checks; routing uses {@link SubscriptionTree}.
     */
    public static boolean matches(String filter, String topic) {
        if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false;
        }
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
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

    static String[] levels(String topicOrFilter) {
        return topicOrFilter.split("/", -1);
    }

    private static boolean fitsUtf8Length(String s) {
        return s.length() <= 65535 && (s.length() * 3 <= 65535 || s.getBytes(StandardCharsets.UTF_8).length <= 65535);
    }
}
