package io.mqttra.benchmarks;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The few operations the scenarios need, over the HiveMQ client in MQTT 5.0 or 3.1.1, so that every scenario can
 * run with either protocol version. The handler is registered before CONNECT, so messages queued in a resumed
 * session are seen too.
 */
abstract class BenchClient {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /** Receive Maximum granted by the server in CONNACK (MQTT 5); 65,535 when the protocol has none. */
    protected volatile int serverReceiveMaximum = 65_535;

    protected volatile boolean sessionPresent;

    static BenchClient create(int protocol, Target target, String clientId, MessageHandler handler) {
        return protocol == 3 ? new V3(target, clientId, handler) : new V5(target, clientId, handler);
    }

    /**
     * @param cleanStart            start a new session (MQTT 3.1.1: clean session)
     * @param sessionExpirySeconds  how long the session outlives the connection; with 3.1.1 any value above 0
     *                              asks for a persistent session (clean session 0), which never expires
     */
    abstract CompletableFuture<Void> connect(boolean cleanStart, long sessionExpirySeconds, int keepAliveSeconds);

    abstract CompletableFuture<Void> subscribe(String filter, int qos);

    /** Completes when the flow of the QoS has finished (PUBACK / PUBCOMP; QoS 0: written), or fails. */
    abstract CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retain);

    abstract CompletableFuture<Void> disconnect();

    int serverReceiveMaximum() {
        return serverReceiveMaximum;
    }

    boolean sessionPresent() {
        return sessionPresent;
    }

    static ByteBuffer payloadOf(java.util.Optional<ByteBuffer> payload) {
        return payload.orElse(EMPTY);
    }

    /** The transport both protocol versions share: bounded connect times, so that a dead target fails a run. */
    private static MqttClientBuilder builder(Target target, String clientId) {
        return MqttClient.builder()
                .identifier(clientId)
                .transportConfig()
                .serverHost(target.host())
                .serverPort(target.port())
                .socketConnectTimeout(10, TimeUnit.SECONDS)
                .mqttConnectTimeout(10, TimeUnit.SECONDS)
                .applyTransportConfig();
    }

    /** A SUBACK code per filter of the SUBSCRIBE; a refusal fails the subscribe. */
    private static <C> void requireGranted(String filter, List<C> codes, Predicate<C> isError) {
        for (C code : codes) {
            if (isError.test(code)) {
                throw new IllegalStateException("SUBACK " + code + " for " + filter);
            }
        }
    }

    private static final class V5 extends BenchClient {
        private final Mqtt5AsyncClient client;

        V5(Target target, String clientId, MessageHandler handler) {
            client = builder(target, clientId).useMqttVersion5().buildAsync();
            client.publishes(
                    MqttGlobalPublishFilter.ALL,
                    p -> handler.onMessage(p.getTopic(), payloadOf(p.getPayload()), p.isRetain()));
        }

        @Override
        CompletableFuture<Void> connect(boolean cleanStart, long sessionExpirySeconds, int keepAliveSeconds) {
            return client.connectWith()
                    .cleanStart(cleanStart)
                    .sessionExpiryInterval(sessionExpirySeconds)
                    .keepAlive(keepAliveSeconds)
                    .send()
                    .thenAccept(ack -> {
                        serverReceiveMaximum = ack.getRestrictions().getReceiveMaximum();
                        sessionPresent = ack.isSessionPresent();
                    });
        }

        @Override
        CompletableFuture<Void> subscribe(String filter, int qos) {
            return client.subscribeWith()
                    .topicFilter(filter)
                    .qos(MqttQos.fromCode(qos))
                    .send()
                    .thenAccept(ack -> requireGranted(filter, ack.getReasonCodes(), Mqtt5SubAckReasonCode::isError));
        }

        @Override
        CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retain) {
            return client.publishWith()
                    .topic(topic)
                    .payload(payload)
                    .qos(MqttQos.fromCode(qos))
                    .retain(retain)
                    .send()
                    .thenAccept(result -> result.getError().ifPresent(e -> {
                        throw new IllegalStateException("publish failed: " + e.getMessage(), e);
                    }));
        }

        @Override
        CompletableFuture<Void> disconnect() {
            return client.disconnect();
        }
    }

    private static final class V3 extends BenchClient {
        private final Mqtt3AsyncClient client;

        V3(Target target, String clientId, MessageHandler handler) {
            client = builder(target, clientId).useMqttVersion3().buildAsync();
            client.publishes(
                    MqttGlobalPublishFilter.ALL,
                    p -> handler.onMessage(p.getTopic(), payloadOf(p.getPayload()), p.isRetain()));
        }

        @Override
        CompletableFuture<Void> connect(boolean cleanStart, long sessionExpirySeconds, int keepAliveSeconds) {
            // 3.1.1 has no session expiry: a session outlives the connection exactly when it is not clean.
            return client.connectWith()
                    .cleanSession(cleanStart && sessionExpirySeconds == 0)
                    .keepAlive(keepAliveSeconds)
                    .send()
                    .thenAccept(ack -> sessionPresent = ack.isSessionPresent());
        }

        @Override
        CompletableFuture<Void> subscribe(String filter, int qos) {
            return client.subscribeWith()
                    .topicFilter(filter)
                    .qos(MqttQos.fromCode(qos))
                    .send()
                    .thenAccept(ack -> requireGranted(filter, ack.getReturnCodes(), Mqtt3SubAckReturnCode::isError));
        }

        @Override
        CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retain) {
            return client.publishWith()
                    .topic(topic)
                    .payload(payload)
                    .qos(MqttQos.fromCode(qos))
                    .retain(retain)
                    .send()
                    .thenApply(p -> null);
        }

        @Override
        CompletableFuture<Void> disconnect() {
            return client.disconnect();
        }
    }
}
