package io.mqttra.api.admin;

import java.util.List;

/**
 * What an operator may see and do on the running broker: the web console, its REST API, the health checks and
 * the metrics read it. Applications get it as the administered object {@code mqtt/Admin}
 * ({@code @Resource(lookup = "mqtt/Admin")}).
 *
 * <p>Every list is a snapshot taken when the method is called: the broker keeps running while it is read.
 * Methods that act return false when there is nothing to act on and throw {@link io.mqttra.api.MqttException}
 * when the broker refuses (for instance a session owned by a message-driven bean) or is not running.
 */
public interface MqttBrokerAdmin {

    /** Most rows any list method returns, so that a console cannot ask a large broker for everything at once. */
    int MAX_ROWS = 10_000;

    /** Whether the broker runs, where it listens, whether its store answers, and its current figures. */
    BrokerOverview overview();

    /** Counters and gauges of the broker right now. */
    MetricsSnapshot metrics();

    /** Clients connected over the network, ordered by client identifier (at most {@link #MAX_ROWS}). */
    List<ClientInfo> clients();

    /** Every session, online and offline, including those of message-driven beans (at most {@link #MAX_ROWS}). */
    List<SessionInfo> sessions();

    /** Every subscription of every session, ordered by client identifier then filter (at most {@link #MAX_ROWS}). */
    List<SubscriptionInfo> subscriptions();

    /**
     * The retained messages whose topic matches a topic filter (e.g. {@code #}, {@code house/+/light}), ordered by
     * topic.
     *
     * @param topicFilter an MQTT topic filter; wildcards do not match topics starting with {@code $} at the first level
     * @param limit       at most this many (1 to {@link #MAX_ROWS})
     * @throws IllegalArgumentException when the filter is not a valid MQTT topic filter
     */
    List<RetainedMessageInfo> retained(String topicFilter, int limit);

    /**
     * Closes the network connection of a client (MQTT 5 clients first get DISCONNECT with reason code 0x98,
     * Administrative action). Its session stays as its expiry interval says, and its will is published as for any
     * connection the server closes.
     *
     * @return false when no client with that identifier is connected over the network
     */
    boolean disconnect(String clientId);

    /**
     * Ends a session and discards its state: subscriptions, queued and in-flight messages, its will. A connected
     * client is disconnected first.
     *
     * @return false when there is no such session
     * @throws io.mqttra.api.MqttException when the session belongs to a message-driven bean inside the server
     */
    boolean purgeSession(String clientId);

    /**
     * Deletes the retained message of a topic, in memory and in the store, without publishing anything.
     *
     * @return false when the topic has no retained message
     * @throws IllegalArgumentException when the topic is not a valid MQTT topic name
     */
    boolean deleteRetained(String topic);
}
