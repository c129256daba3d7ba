package io.mqttra.ra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttra.broker.config.BrokerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerSettingsTest {

    private final MqttResourceAdapter adapter = new MqttResourceAdapter();

    @Test
    void defaultsAreLoopbackAndTheStandardPort() {
        BrokerConfig config = resolve(Map.of(), Map.of());
        assertThat(config.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(1883);
        assertThat(config.maxPacketSize()).isEqualTo(1024 * 1024);
        assertThat(config.ioThreads()).isZero();
    }

    @Test
    void adapterPropertiesApplyWhenNothingOverridesThem() {
        adapter.setPort(1884);
        adapter.setBindAddress("0.0.0.0");
        adapter.setAllowUnauthenticatedNetwork(true);
        assertThat(resolve(Map.of(), Map.of()).port()).isEqualTo(1884);
        assertThat(resolve(Map.of(), Map.of()).bindAddress()).isEqualTo("0.0.0.0");
    }

    @Test
    void withoutAuthenticationANetworkAddressFallsBackToLoopback() {
        adapter.setBindAddress("0.0.0.0");
        assertThat(resolve(Map.of(), Map.of()).bindAddress()).isEqualTo("127.0.0.1");
    }

    @Test
    void malformedFlagIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> resolve(Map.of(), Map.of("MQTT_ALLOW_ANONYMOUS", "maybe")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mqtt.allow.anonymous");
    }

    @Test
    void environmentVariablesOverrideInMicroProfileConfigNaming() {
        adapter.setPort(1884);
        BrokerConfig config = resolve(
                Map.of(),
                Map.of(
                        "MQTT_PORT",
                        "2883",
                        "MQTT_BIND_ADDRESS",
                        "::1",
                        "MQTT_MAX_PACKET_SIZE",
                        "4096",
                        "MQTT_IO_THREADS",
                        "3"));
        assertThat(config.port()).isEqualTo(2883);
        assertThat(config.bindAddress()).isEqualTo("::1");
        assertThat(config.maxPacketSize()).isEqualTo(4096);
        assertThat(config.ioThreads()).isEqualTo(3);
    }

    @Test
    void limitsFollowTheAdapterPropertiesAndTheirOverrides() {
        adapter.setMaxInflight(8);
        adapter.setMaxConnections(100);
        BrokerConfig config = resolve(
                Map.of(),
                Map.of(
                        "MQTT_MAX_QUEUED_MESSAGES",
                        "50",
                        "MQTT_RECEIVE_MAXIMUM",
                        "20",
                        "MQTT_CONNECT_TIMEOUT_SECONDS",
                        "3",
                        "MQTT_SYS_INTERVAL_SECONDS",
                        "30"));
        assertThat(config.maxInflight()).isEqualTo(8);
        assertThat(config.maxConnections()).isEqualTo(100);
        assertThat(config.maxQueuedMessages()).isEqualTo(50);
        assertThat(config.receiveMaximum()).isEqualTo(20);
        assertThat(config.connectTimeoutSeconds()).isEqualTo(3);
        assertThat(config.sysIntervalSeconds()).isEqualTo(30);
    }

    @Test
    void outgoingTopicAliasesAreOnByDefault_andTheEnvironmentSwitchesThemOff() {
        assertThat(resolve(Map.of(), Map.of()).outgoingTopicAliasMaximum()).isEqualTo(16);
        adapter.setOutgoingTopicAliasMaximum(4);
        assertThat(resolve(Map.of(), Map.of()).outgoingTopicAliasMaximum()).isEqualTo(4);
        assertThat(resolve(Map.of(), Map.of("MQTT_OUTGOING_TOPIC_ALIAS_MAXIMUM", "0"))
                        .outgoingTopicAliasMaximum())
                .isZero();
    }

    @Test
    void systemPropertiesWinOverEnvironmentVariables() {
        assertThat(resolve(Map.of("mqtt.port", "3883"), Map.of("MQTT_PORT", "2883"))
                        .port())
                .isEqualTo(3883);
    }

    @Test
    void malformedValueNamesTheSettingAndItsVariable() {
        assertThatThrownBy(() -> resolve(Map.of(), Map.of("MQTT_PORT", "eighteen")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mqtt.port")
                .hasMessageContaining("MQTT_PORT")
                .hasMessageContaining("eighteen");
    }

    @Test
    void outOfRangePortIsRefused() {
        assertThatThrownBy(() -> resolve(Map.of(), Map.of("MQTT_PORT", "70000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("70000");
    }

    @Test
    void environmentNameFollowsMicroProfileConfigMapping() {
        assertThat(ConfigOverrides.environmentName("mqtt.bind.address")).isEqualTo("MQTT_BIND_ADDRESS");
        assertThat(ConfigOverrides.environmentName("mqtt.max-packet.size")).isEqualTo("MQTT_MAX_PACKET_SIZE");
    }

    @Test
    void tlsWithoutAKeyStoreUsesTheServersKeyStoreAndItsHttpsKey(@TempDir Path dir) throws Exception {
        Path store = Files.createFile(dir.resolve("keystore.p12"));
        adapter.setTlsPort(8883);
        BrokerConfig config = tls(Map.of("javax.net.ssl.keyStore", store.toString()));
        assertThat(config.keyStorePath()).isEqualTo(store.toString());
        assertThat(config.keyStoreType()).isEqualTo("PKCS12");
        assertThat(config.keyStorePassword())
                .as("Payara's default master password")
                .isEqualTo("changeit");
        assertThat(config.keyAlias()).isEqualTo("s1as");
    }

    @Test
    void theServersKeyStorePasswordTypeAndAnAliasAreTakenWhenGiven(@TempDir Path dir) throws Exception {
        Path store = Files.createFile(dir.resolve("keystore.jks"));
        adapter.setWssPort(8884);
        adapter.setKeyAlias("mqtt");
        BrokerConfig config =
                tls(Map.of("javax.net.ssl.keyStore", store.toString(), "javax.net.ssl.keyStorePassword", "master-2"));
        assertThat(config.keyStoreType()).isEqualTo("JKS");
        assertThat(config.keyStorePassword()).isEqualTo("master-2");
        assertThat(config.keyAlias()).isEqualTo("mqtt");

        adapter.setKeyStorePassword("master-3");
        assertThat(tls(Map.of("javax.net.ssl.keyStore", store.toString(), "javax.net.ssl.keyStorePassword", "master-2"))
                        .keyStorePassword())
                .as("the configured keyStorePassword opens the server's store")
                .isEqualTo("master-3");
    }

    @Test
    void aConfiguredKeyStoreWinsOverTheServers(@TempDir Path dir) throws Exception {
        Path own = Files.createFile(dir.resolve("mqtt.p12"));
        adapter.setTlsPort(8883);
        adapter.setKeyStorePath(own.toString());
        adapter.setKeyStorePassword("own-secret");
        BrokerConfig config = tls(Map.of(
                "javax.net.ssl.keyStore",
                Files.createFile(dir.resolve("server.p12")).toString()));
        assertThat(config.keyStorePath()).isEqualTo(own.toString());
        assertThat(config.keyStorePassword()).isEqualTo("own-secret");
        assertThat(config.keyAlias()).as("an own store's only key").isNull();
    }

    @Test
    void withoutTlsOrAServerKeyStoreNoKeyStoreIsSet(@TempDir Path dir) {
        assertThat(tls(Map.of(
                                "javax.net.ssl.keyStore",
                                dir.resolve("absent.p12").toString()))
                        .keyStorePath())
                .isNull();
        adapter.setTlsPort(8883);
        assertThat(tls(Map.of(
                                "javax.net.ssl.keyStore",
                                dir.resolve("absent.p12").toString()))
                        .keyStorePath())
                .as("a missing file is not the server's store")
                .isNull();
        assertThat(tls(Map.of()).keyStorePath()).isNull();
    }

    /** The TLS part of the settings, with the given JVM system properties. */
    private BrokerConfig tls(Map<String, String> jvmProperties) {
        BrokerConfig.Builder builder = BrokerConfig.builder();
        new BrokerSettings(ConfigOverrides.fromSystem(name -> null, name -> null))
                .tls(builder, adapter, jvmProperties::get);
        return builder.build();
    }

    private BrokerConfig resolve(Map<String, String> systemProperties, Map<String, String> environment) {
        return new BrokerSettings(ConfigOverrides.fromSystem(systemProperties::get, environment::get))
                .resolve(adapter, Runnable::run);
    }
}
