package io.mqttra.api;

import java.io.Serializable;
import javax.naming.Referenceable;

/**
 * Gives connections to the broker running in this server. Inject it with
 * {@code @Resource(lookup = "mqtt/ConnectionFactory")}.
 */
public interface MqttConnectionFactory extends Serializable, Referenceable {

    /** A connection for use in the current component; close it when done (try-with-resources). */
    MqttConnection getConnection();
}
