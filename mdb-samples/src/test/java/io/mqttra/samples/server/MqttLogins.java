package io.mqttra.samples.server;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Assumptions;

/**
 * One CONNECT with a user name and password, by a real client (Eclipse Paho), answered with the CONNACK's reason
 * code (MQTT 5) or return code (3.1.1): 0 when accepted.
 */
final class MqttLogins {

    private static final int TIMEOUT_SECONDS = 20; // refused logins are answered ever more slowly per address

    private MqttLogins() {}

    static int mqtt5(String host, int port, String user, String password) throws MqttException {
        var client = new org.eclipse.paho.mqttv5.client.MqttClient(
                "tcp://" + host + ":" + port,
                "server-it-" + UUID.randomUUID(),
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        client.setTimeToWait(TIMEOUT_SECONDS * 1000L);
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setConnectionTimeout(TIMEOUT_SECONDS);
        if (user != null) {
            options.setUserName(user);
            options.setPassword(password.getBytes(StandardCharsets.UTF_8));
        }
        try {
            client.connect(options);
            client.disconnect();
            return 0;
        } catch (MqttException e) {
            if (e.getReasonCode() < 0x80) { // not a CONNACK refusal: a network or client failure
                throw e;
            }
            return e.getReasonCode();
        } finally {
            client.close();
        }
    }

    static int mqtt311(String host, int port, String user, String password)
            throws org.eclipse.paho.client.mqttv3.MqttException {
        var client = new org.eclipse.paho.client.mqttv3.MqttClient(
                "tcp://" + host + ":" + port, "server-it-" + UUID.randomUUID(), new MemoryPersistence());
        client.setTimeToWait(TIMEOUT_SECONDS * 1000L);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setConnectionTimeout(TIMEOUT_SECONDS);
        options.setUserName(user);
        options.setPassword(password.toCharArray());
        try {
            client.connect(options);
            client.disconnect();
            return 0;
        } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
            // Return codes 1-5 come from the CONNACK; Paho's own failures have codes of 32000 and up.
            if (e.getReasonCode() < 1 || e.getReasonCode() > 5) {
                throw e;
            }
            return e.getReasonCode();
        } finally {
            client.close();
        }
    }

    /** Whether a TCP connection to host:port is accepted at all. */
    static boolean accepts(String host, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 5_000);
            return true;
        } catch (ConnectException refused) {
            return false;
        }
    }

    /** An IPv4 address of this machine that is not loopback; the test is skipped on a machine without one. */
    static String nonLoopbackAddress() throws SocketException {
        for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : nic.inetAddresses().toList()) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                    return address.getHostAddress();
                }
            }
        }
        Assumptions.abort("this machine has no non-loopback IPv4 address");
        throw new AssertionError("unreachable");
    }
}
