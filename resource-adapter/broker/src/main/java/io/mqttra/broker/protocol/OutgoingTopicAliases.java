package io.mqttra.broker.protocol;

import java.util.LinkedHashMap;

/**
 * Topic aliases the broker assigns on the PUBLISHes it sends to one MQTT 5 connection, so that a topic that
 * comes again travels as two bytes instead of its full name. The client announced how many it accepts (Topic
 * Alias Maximum in CONNECT); with none the broker sends none [MQTT-3.1.2-27]. Mappings never carry over to another
 * network connection [MQTT-3.3.2-7]: one instance per connection, used from the session's tasks only.
 *
 * <p>When every alias is taken, the least recently sent topic gives its alias up to the new one: the client
 * replaces the mapping on the PUBLISH that carries both topic and alias (MQTT 5.0 section 3.3.2.3.4), and
 * PUBLISHes reach it in the order they were assigned, because they are written in that order.
 */
final class OutgoingTopicAliases {

    /** Topics this short gain nothing: the alias property alone takes three bytes. */
    private static final int MIN_TOPIC_LENGTH = 4;

    private final int maximum;
    private final LinkedHashMap<String, Integer> byTopic = new LinkedHashMap<>(16, 0.75f, true);
    private int nextUnused = 1;

    /** @param maximum the most aliases to use: the client's Topic Alias Maximum, capped by the broker's setting */
    OutgoingTopicAliases(int maximum) {
        this.maximum = maximum;
    }

    /** What to put in a PUBLISH for a topic: its alias (0 for none) and whether the topic name must go too. */
    record Choice(int alias, boolean sendTopic) {
        static final Choice NONE = new Choice(0, true);
    }

    /**
     * The alias a PUBLISH on this topic would carry, without taking it: a packet the client's Maximum Packet Size
     * rules out must leave the table as it was. {@link #use} takes it once the packet goes.
     */
    Choice peek(String topic) {
        if (maximum == 0 || topic.length() < MIN_TOPIC_LENGTH) {
            return Choice.NONE;
        }
        Integer known = byTopic.get(topic);
        if (known != null) {
            // a zero-length topic name with an alias the client already maps (MQTT 5.0 section 3.3.2.3.4)
            return new Choice(known, false);
        }
        // never 0, never above the client's Topic Alias Maximum [MQTT-3.3.2-8] [MQTT-3.1.2-26] [MQTT-3.3.2-11]
        return new Choice(
                nextUnused <= maximum ? nextUnused : byTopic.values().iterator().next(), true);
    }

    /** Records that a PUBLISH on this topic leaves with {@code choice}, as {@link #peek} gave it just before. */
    void use(String topic, Choice choice) {
        if (choice.alias() == 0 || !choice.sendTopic()) {
            return; // no alias, or one the client maps already (the peek made it the most recently used)
        }
        if (choice.alias() == nextUnused) {
            nextUnused++;
        } else {
            byTopic.remove(byTopic.keySet().iterator().next()); // the least recently sent gives its alias up
        }
        byTopic.put(topic, choice.alias());
    }

    /** Aliases in use; for tests. */
    int size() {
        return byTopic.size();
    }
}
