package io.mqttra.persistence;

/** Table names the writer's SQL shares with the entities' {@code @Table} names. */
final class Sql {
    static final String MESSAGE = "MQTT_MESSAGE";
    static final String QUEUE_ENTRY = "MQTT_QUEUE_ENTRY";
    static final String SESSION = "MQTT_SESSION";
    static final String SUBSCRIPTION = "MQTT_SUBSCRIPTION";
    static final String INCOMING_QOS2 = "MQTT_INCOMING_QOS2";
    static final String RETAINED = "MQTT_RETAINED";
    static final String PREPARED_MESSAGE = "MQTT_PREPARED_MESSAGE";
    static final String SCHEMA_VERSION = "MQTT_SCHEMA_VERSION";

    private Sql() {}
}
