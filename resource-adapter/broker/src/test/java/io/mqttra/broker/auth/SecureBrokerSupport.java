package io.mqttra.broker.auth;

import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.mqttra.broker.MqttBroker;
import io.mqttra.broker.TestClients;
import io.mqttra.broker.config.BrokerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts a broker on an ephemeral port with a real password file and ACL file, and makes real MQTT clients
 * (HiveMQ client, 3.1.1 and 5.0) that are disconnected after each test.
 */
abstract class SecureBrokerSupport {

    static final String ACL = String.join(
            "\n",
            "# anonymous clients (only when anonymous access is allowed)",
            "topic read public/#",
            "user alice",
            "topic readwrite home/alice/#",
            "topic deny home/alice/secret",
            "topic read public/#",
            "user bob",
            "topic read home/alice/#",
            "topic write home/bob/#",
            "role mqtt-admins",
            "topic readwrite #",
            "pattern readwrite users/%u/#",
            "pattern write devices/%c/status");

    @TempDir
    Path dir;

    protected MqttBroker broker;
    protected int port;
    protected Path passwordFile;
    protected Path aclFile;
    private ExecutorService hashing;
    private final TestClients clients = new TestClients();

    /** Users: alice/wonderland, bob/builder, root/toor (role mqtt-admins). */
    protected void start(java.util.function.UnaryOperator<BrokerConfig.Builder> extra, boolean anonymous)
            throws IOException {
        passwordFile = dir.resolve("users.passwd");
        PasswordFile users = PasswordFile.empty();
        users.put("alice", bytes("wonderland"), Set.of(), 1000);
        users.put("bob", bytes("builder"), Set.of(), 1000);
        users.put("root", bytes("toor"), Set.of("mqtt-admins"), 1000);
        users.save(passwordFile);
        aclFile = dir.resolve("broker.acl");
        Files.writeString(aclFile, ACL);
        hashing = Executors.newFixedThreadPool(2);
        Authenticator passwords = new PasswordFileAuthenticator(passwordFile, hashing);
        BrokerConfig.Builder b = BrokerConfig.builder()
                .port(0)
                .ioThreads(2)
                .authenticator(anonymous ? passwords.allowingAnonymous() : passwords)
                .authorizer(new AclAuthorizer(AclFile.load(aclFile)))
                .loginFailureDelayMillis(0, 0);
        broker = new MqttBroker(extra.apply(b).build());
        broker.start();
        port = broker.port();
    }

    @AfterEach
    void stopBroker() throws InterruptedException {
        clients.closeAll();
        if (broker != null) {
            broker.stop();
        }
        if (hashing != null) {
            hashing.shutdownNow();
            hashing.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected Mqtt5BlockingClient v5(String clientId) {
        return clients.v5(port, clientId);
    }

    protected Mqtt3BlockingClient v3(String clientId) {
        return clients.v3(port, clientId);
    }

    protected Mqtt5BlockingClient v5Connected(String clientId, String user, String password) {
        Mqtt5BlockingClient c = v5(clientId);
        c.connectWith()
                .simpleAuth()
                .username(user)
                .password(bytes(password))
                .applySimpleAuth()
                .send();
        return c;
    }

    protected Mqtt3BlockingClient v3Connected(String clientId, String user, String password) {
        Mqtt3BlockingClient c = v3(clientId);
        c.connectWith()
                .simpleAuth()
                .username(user)
                .password(bytes(password))
                .applySimpleAuth()
                .send();
        return c;
    }
}
