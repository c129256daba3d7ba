package io.mqttra.broker.routing;

/**
 * A parsed shared subscription filter {@code $share/{ShareName}/{filter}} (MQTT 5.0 section 4.8.2).
 *
 * @param group  the ShareName
 * @param filter the topic filter the group subscribes to
 */
public record SharedFilter(String group, String filter) {

    /**
     * Parses a shared filter; returns null when the text is not a valid shared filter: the ShareName must be
     * at least one character without '/', '+' or '#' [MQTT-4.8.2-1] [MQTT-4.8.2-2], followed by '/' and a valid filter.
     */
    public static SharedFilter parse(String text) {
        if (!Topics.isShared(text)) {
            return null;
        }
        String rest = text.substring(Topics.SHARE_PREFIX.length());
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            return null;
        }
        String group = rest.substring(0, slash);
        String filter = rest.substring(slash + 1);
        if (group.indexOf('+') >= 0 || group.indexOf('#') >= 0 || !Topics.isValidFilter(filter)) {
            return null;
        }
        return new SharedFilter(group, filter);
    }
}
