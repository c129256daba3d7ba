package io.mqttra.console;

import io.mqttra.api.admin.MqttBrokerAdmin;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Finds the broker's administered object {@code mqtt/Admin}. Looked up on first use rather than injected: on Payara
 * Micro the post-deploy command that creates it runs after this application deployed, and an injection would fail
 * the deployment.
 */
@ApplicationScoped
public class BrokerAdminLocator {

    /** JNDI name of the administered object that the server-config command files create. */
    public static final String JNDI_NAME = "mqtt/Admin";

    private static final Logger LOG = Logger.getLogger(BrokerAdminLocator.class.getName());

    private volatile MqttBrokerAdmin admin;

    /**
     * @throws BrokerUnavailableException when {@code mqtt/Admin} does not exist (yet)
     */
    public MqttBrokerAdmin admin() {
        MqttBrokerAdmin found = admin;
        if (found == null) {
            try {
                found = (MqttBrokerAdmin) new InitialContext().lookup(JNDI_NAME);
            } catch (NamingException | ClassCastException e) {
                LOG.warning(() -> "MQTT broker admin object " + JNDI_NAME + " not available: " + e);
                throw new BrokerUnavailableException(
                        "the MQTT broker's admin object " + JNDI_NAME
                                + " is not available; is mqtt-ra.rar deployed and " + JNDI_NAME + " created? (" + e
                                + ")",
                        e);
            }
            admin = found;
        }
        return found;
    }
}
