package io.mqttra.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.advanced.interceptor.qos1.Mqtt5OutgoingQos1Interceptor;
import com.hivemq.client.mqtt.mqtt5.advanced.interceptor.qos2.Mqtt5OutgoingQos2Interceptor;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubrec.Mqtt5PubRec;
import io.mqttra.it.TestDirs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Durability across a real crash: Payara Micro with the broker is killed with SIGKILL while a publisher streams
 * QoS 1 and QoS 2 messages to two offline persistent sessions, then restarted on the same data directory.
 *
 * <p>What the broker acknowledged, it owns: 3.1.1 [MQTT-4.3.2-2] / 5.0 [MQTT-4.3.2-4] (PUBACK "having accepted
 * ownership") and 3.1.1 [MQTT-4.3.3-2] / 5.0 [MQTT-4.3.3-8] (PUBREC likewise), so every acknowledged message must
 * reach both sessions after the restart: QoS 1 at least once, QoS 2 exactly once (3.1.1 [MQTT-4.3.3-3] /
 * 5.0 [MQTT-4.3.3-9]: no duplicate onward delivery). The sessions themselves must survive: 3.1.1 [MQTT-3.1.2-4],
 * [MQTT-3.1.2-5] (queued QoS 1/2 messages are session state) and 5.0 [MQTT-3.1.2-23] (kept while the session
 * expiry interval runs), resumed with Session Present = 1 (3.1.1 [MQTT-3.2.2-2], 5.0 [MQTT-3.2.2-2]).
 * Retained messages stored before the crash are still sent to new subscribers (3.1.1 [MQTT-3.3.1-5], [MQTT-3.3.1-6];
 * 5.0 [MQTT-3.3.1-5], [MQTT-3.3.1-9]).
 */
class CrashIT {

    private static final int MESSAGES = Integer.getInteger("crash.messages", 10_000);
    private static final int KILL_AFTER_ACKS = Integer.getInteger("crash.killAfterAcks", 4_000);
    private static final int WINDOW = 64;
    private static final Duration START_TIMEOUT = Duration.ofMinutes(Long.getLong("crash.startMinutes", 6));
    /** Give up draining once nothing arrived for this long (the broker resends at its own pace). */
    private static final Duration DRAIN_STALL = Duration.ofSeconds(45);

    private static final Duration DRAIN_MAX = Duration.ofMinutes(4);

    private static final String TOPIC_QOS1 = "crash/q1";
    private static final String TOPIC_QOS2 = "crash/q2";
    private static final String SUB_311 = "crash-sub-311";
    private static final String SUB_5 = "crash-sub-5";

    private static PayaraMicroProcess server;

    @BeforeAll
    static void startServer() throws Exception {
        Path data = Path.of(System.getProperty("mqttra.itData", "target/it-data"))
                .toAbsolutePath()
                .resolve("crash");
        TestDirs.deleteRecursively(data);
        Path runMicro =
                Path.of(System.getProperty("mqttra.runMicro", "run-micro.sh")).toAbsolutePath();
        // 10,000 messages wait for each offline session: lift the per-session queue limit above that.
        server = new PayaraMicroProcess(
                runMicro, data, List.of("-Dmqtt.max.queued.messages=" + (MESSAGES * 2), "-Xmx768m"));
        Duration took = server.start(START_TIMEOUT);
        System.out.printf(
                "CrashIT: Payara Micro pid %d ready in %d s, MQTT port %d, data %s%n",
                server.pid(), took.toSeconds(), server.mqttPort(), data);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void acknowledgedMessagesAndRetainedMessagesSurviveKill9() throws Exception {
        long began = System.nanoTime();
        // 1. Two persistent sessions subscribe, then go offline.
        MqttClient sub311 = paho(SUB_311);
        sub311.connect(pahoOptions());
        sub311.subscribe("crash/#", 2);
        sub311.disconnect();
        sub311.close();
        Mqtt5BlockingClient sub5 = hivemq(SUB_5).toBlocking();
        sub5.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
        sub5.subscribeWith().topicFilter("crash/#").qos(MqttQos.EXACTLY_ONCE).send();
        sub5.disconnect();

        // 2. Retained messages, confirmed (PUBACK / PUBCOMP) before the crash.
        MqttClient retainer = paho("crash-retainer");
        retainer.connect(pahoOptions());
        retainer.publish("crash-retained/q1", "retained-q1".getBytes(StandardCharsets.UTF_8), 1, true);
        retainer.publish("crash-retained/q2", "retained-q2".getBytes(StandardCharsets.UTF_8), 2, true);
        retainer.disconnect();
        retainer.close();

        // 3. Stream numbered messages (even: QoS 1, odd: QoS 2) and kill -9 the server part-way.
        Acks acks = new Acks(MESSAGES);
        CountDownLatch enoughAcks = new CountDownLatch(KILL_AFTER_ACKS);
        Mqtt5AsyncClient publisher = publisher(acks, enoughAcks);
        publisher.connectWith().cleanStart(true).send().get(30, TimeUnit.SECONDS);
        AtomicBoolean killed = new AtomicBoolean();
        AtomicReference<Throwable> killFailure = new AtomicReference<>();
        Thread killer = new Thread(
                () -> {
                    try {
                        enoughAcks.await();
                        server.killHard();
                    } catch (Throwable e) {
                        killFailure.set(e);
                    } finally {
                        killed.set(true);
                    }
                },
                "crash-killer");
        killer.setDaemon(true);
        killer.start();
        long publishStart = System.nanoTime();
        int sent = publishUntilKilled(publisher, killed);
        killer.join(TimeUnit.MINUTES.toMillis(3));
        assertThat(killFailure.get()).as("kill -9 of Payara Micro").isNull();
        assertThat(killed)
                .as("server killed after %d acks (publisher sent all %d first?)", KILL_AFTER_ACKS, sent)
                .isTrue();
        double publishSeconds = (System.nanoTime() - publishStart) / 1e9;
        // Acks that were already on the wire are counted too: the broker sent them before it died.
        TimeUnit.MILLISECONDS.sleep(500);
        int ackedQos1 = acks.count(1);
        int ackedQos2 = acks.count(2);
        System.out.printf(
                "CrashIT: sent %d, acked %d QoS 1 (PUBACK) + %d QoS 2 (PUBREC) in %.1f s, then kill -9%n",
                sent, ackedQos1, ackedQos2, publishSeconds);

        // 4. Restart on the same data directory; the sessions resume and drain.
        Duration restart = server.start(START_TIMEOUT);
        System.out.printf("CrashIT: restarted in %d s%n", restart.toSeconds());

        Deliveries got311 = new Deliveries(MESSAGES);
        Deliveries got5 = new Deliveries(MESSAGES);
        MqttClient drain311 = paho(SUB_311);
        drain311.setCallback(got311.pahoCallback());
        boolean present311 = drain311.connectWithResult(pahoOptions()).getSessionPresent();
        Mqtt5AsyncClient drain5 = hivemq(SUB_5).toAsync();
        drain5.publishes(MqttGlobalPublishFilter.ALL, p -> got5.record(p.getPayloadAsBytes()));
        Mqtt5ConnAck connAck5 = drain5.connectWith()
                .cleanStart(false)
                .sessionExpiryInterval(3600)
                .send()
                .get(30, TimeUnit.SECONDS);

        long drainStart = System.nanoTime();
        awaitDrained(acks, got311, got5);
        double drainSeconds = (System.nanoTime() - drainStart) / 1e9;

        // 5. Retained messages from before the crash.
        List<Mqtt5Publish> retained = retainedAfterRestart();

        drain311.disconnect();
        drain311.close();
        drain5.disconnect().get(10, TimeUnit.SECONDS);

        Report r311 = new Report("3.1.1 session " + SUB_311, acks, got311);
        Report r5 = new Report("5.0 session " + SUB_5, acks, got5);
        System.out.printf(
                "CrashIT: drained in %.1f s; %s; %s; total %.1f s%n",
                drainSeconds, r311.summary(), r5.summary(), (System.nanoTime() - began) / 1e9);

        assertThat(ackedQos1 + ackedQos2).as("acks before the kill").isGreaterThanOrEqualTo(KILL_AFTER_ACKS);
        assertThat(present311)
                .as("3.1.1 CONNACK Session Present after restart [MQTT-3.2.2-2]")
                .isTrue();
        assertThat(connAck5.isSessionPresent())
                .as("5.0 CONNACK Session Present after restart [MQTT-3.2.2-2]")
                .isTrue();
        r311.assertComplete();
        r5.assertComplete();
        assertThat(retained)
                .as("retained messages after restart [MQTT-3.3.1-5][MQTT-3.3.1-6]")
                .extracting(
                        p -> p.getTopic().toString() + "=" + new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)
                                + (p.isRetain() ? " (retain)" : " (NO RETAIN FLAG)"))
                .containsExactlyInAnyOrder(
                        "crash-retained/q1=retained-q1 (retain)", "crash-retained/q2=retained-q2 (retain)");
    }

    /** Publishes with at most WINDOW unacknowledged messages until all are sent or the server is gone. */
    private static int publishUntilKilled(Mqtt5AsyncClient publisher, AtomicBoolean killed)
            throws InterruptedException {
        Semaphore window = new Semaphore(WINDOW);
        int sent = 0;
        for (int n = 0; n < MESSAGES && !killed.get(); n++) {
            while (!window.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                if (killed.get()) {
                    return sent;
                }
            }
            boolean qos2 = n % 2 == 1;
            publisher
                    .publishWith()
                    .topic(qos2 ? TOPIC_QOS2 : TOPIC_QOS1)
                    .qos(qos2 ? MqttQos.EXACTLY_ONCE : MqttQos.AT_LEAST_ONCE)
                    .payload(Integer.toString(n).getBytes(StandardCharsets.UTF_8))
                    .send()
                    .whenComplete((result, error) -> window.release());
            sent++;
        }
        return sent;
    }

    private static void awaitDrained(Acks acks, Deliveries... sessions) throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_MAX.toNanos();
        long lastTotal = -1;
        long lastProgress = System.nanoTime();
        while (System.nanoTime() < deadline) {
            boolean complete = true;
            long total = 0;
            for (Deliveries session : sessions) {
                complete &= session.coversAll(acks);
                total += session.total();
            }
            if (complete) {
                // Late duplicates would show up right after the last expected message: wait a moment for them.
                TimeUnit.SECONDS.sleep(2);
                return;
            }
            if (total != lastTotal) {
                lastTotal = total;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > DRAIN_STALL.toNanos()) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    private static List<Mqtt5Publish> retainedAfterRestart() throws Exception {
        LinkedBlockingQueue<Mqtt5Publish> received = new LinkedBlockingQueue<>();
        Mqtt5AsyncClient reader = hivemq("crash-retained-reader").toAsync();
        reader.publishes(MqttGlobalPublishFilter.ALL, received::add);
        reader.connectWith().cleanStart(true).send().get(30, TimeUnit.SECONDS);
        reader.subscribeWith()
                .topicFilter("crash-retained/#")
                .qos(MqttQos.EXACTLY_ONCE)
                .send()
                .get(30, TimeUnit.SECONDS);
        List<Mqtt5Publish> got = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Mqtt5Publish p = received.poll(15, TimeUnit.SECONDS);
            if (p == null) {
                break;
            }
            got.add(p);
        }
        reader.disconnect().get(10, TimeUnit.SECONDS);
        return got;
    }

    private static Mqtt5AsyncClient publisher(Acks acks, CountDownLatch enoughAcks) {
        return Mqtt5Client.builder()
                .identifier("crash-publisher")
                .serverHost("127.0.0.1")
                .serverPort(server.mqttPort())
                .advancedConfig()
                .interceptors()
                .outgoingQos1Interceptor((Mqtt5OutgoingQos1Interceptor) (config, publish, pubAck) -> {
                    if (!pubAck.getReasonCode().isError()) {
                        acks.acked(publish.getPayloadAsBytes());
                        enoughAcks.countDown();
                    }
                })
                .outgoingQos2Interceptor(new Mqtt5OutgoingQos2Interceptor() {
                    @Override
                    public void onPubRec(
                            com.hivemq.client.mqtt.mqtt5.Mqtt5ClientConfig config,
                            Mqtt5Publish publish,
                            Mqtt5PubRec pubRec,
                            com.hivemq.client.mqtt.mqtt5.message.publish.pubrel.Mqtt5PubRelBuilder pubRel) {
                        if (!pubRec.getReasonCode().isError()) {
                            acks.acked(publish.getPayloadAsBytes());
                            enoughAcks.countDown();
                        }
                    }

                    @Override
                    public void onPubRecError(
                            com.hivemq.client.mqtt.mqtt5.Mqtt5ClientConfig config,
                            Mqtt5Publish publish,
                            Mqtt5PubRec pubRec) {
                        // not acknowledged: the broker refused ownership, nothing to expect
                    }

                    @Override
                    public void onPubComp(
                            com.hivemq.client.mqtt.mqtt5.Mqtt5ClientConfig config,
                            com.hivemq.client.mqtt.mqtt5.message.publish.pubrel.Mqtt5PubRel pubRel,
                            com.hivemq.client.mqtt.mqtt5.message.publish.pubcomp.Mqtt5PubComp pubComp) {
                        // ownership was already recorded at PUBREC
                    }
                })
                .applyInterceptors()
                .applyAdvancedConfig()
                .buildAsync();
    }

    private static Mqtt5Client hivemq(String clientId) {
        return Mqtt5Client.builder()
                .identifier(clientId)
                .serverHost("127.0.0.1")
                .serverPort(server.mqttPort())
                .build();
    }

    private static MqttClient paho(String clientId) throws Exception {
        return new MqttClient("tcp://127.0.0.1:" + server.mqttPort(), clientId, new MemoryPersistence());
    }

    private static MqttConnectOptions pahoOptions() {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        // The first connect also runs with CleanSession=0: a session created that way is kept after DISCONNECT.
        options.setCleanSession(false);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(30);
        options.setKeepAliveInterval(60);
        return options;
    }

    static int number(byte[] payload) {
        return Integer.parseInt(new String(payload, StandardCharsets.UTF_8));
    }

    static int qosOf(int number) {
        return number % 2 == 1 ? 2 : 1;
    }

    /** Which messages the broker acknowledged (PUBACK for QoS 1, PUBREC for QoS 2). */
    static final class Acks {
        private final AtomicIntegerArray acked;
        private final AtomicInteger[] perQos = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};

        Acks(int messages) {
            acked = new AtomicIntegerArray(messages);
        }

        void acked(byte[] payload) {
            int n = number(payload);
            if (acked.getAndIncrement(n) == 0) {
                perQos[qosOf(n)].incrementAndGet();
            }
        }

        boolean isAcked(int n) {
            return acked.get(n) > 0;
        }

        int count(int qos) {
            return perQos[qos].get();
        }

        int size() {
            return acked.length();
        }
    }

    /** What one subscriber received, per message number. */
    static final class Deliveries {
        private final AtomicIntegerArray times;
        private final AtomicInteger total = new AtomicInteger();
        private final AtomicInteger foreign = new AtomicInteger();

        Deliveries(int messages) {
            times = new AtomicIntegerArray(messages);
        }

        void record(byte[] payload) {
            total.incrementAndGet();
            int n;
            try {
                n = number(payload);
            } catch (NumberFormatException e) {
                foreign.incrementAndGet();
                return;
            }
            if (n < 0 || n >= times.length()) {
                foreign.incrementAndGet();
                return;
            }
            times.incrementAndGet(n);
        }

        int times(int n) {
            return times.get(n);
        }

        long total() {
            return total.get();
        }

        boolean coversAll(Acks acks) {
            for (int n = 0; n < times.length(); n++) {
                if (acks.isAcked(n) && times.get(n) == 0) {
                    return false;
                }
            }
            return true;
        }

        MqttCallback pahoCallback() {
            return new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                    System.out.println("CrashIT: 3.1.1 subscriber lost its connection: " + cause);
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    record(message.getPayload());
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                    // subscriber only
                }
            };
        }
    }

    /** Lost and duplicated messages of one session, printed in full so a failure says what went missing. */
    static final class Report {
        private final String session;
        private final List<Integer> lostQos1 = new ArrayList<>();
        private final List<Integer> lostQos2 = new ArrayList<>();
        private final List<Integer> duplicatedQos2 = new ArrayList<>();
        private int deliveredAcked;
        private int deliveredUnacked;
        private int duplicatesQos1;
        private final long total;

        Report(String session, Acks acks, Deliveries got) {
            this.session = session;
            this.total = got.total();
            for (int n = 0; n < acks.size(); n++) {
                int times = got.times(n);
                boolean qos2 = qosOf(n) == 2;
                if (acks.isAcked(n)) {
                    if (times == 0) {
                        (qos2 ? lostQos2 : lostQos1).add(n);
                    } else {
                        deliveredAcked++;
                    }
                } else if (times > 0) {
                    deliveredUnacked++;
                }
                if (times > 1) {
                    if (qos2) {
                        duplicatedQos2.add(n);
                    } else {
                        duplicatesQos1 += times - 1;
                    }
                }
            }
        }

        String summary() {
            return String.format(
                    "%s: %d received, %d acked delivered, %d unacked delivered, lost %d QoS 1 + %d QoS 2,"
                            + " %d QoS 1 duplicates, %d QoS 2 duplicates",
                    session,
                    total,
                    deliveredAcked,
                    deliveredUnacked,
                    lostQos1.size(),
                    lostQos2.size(),
                    duplicatesQos1,
                    duplicatedQos2.size());
        }

        void assertComplete() {
            // [MQTT-4.3.2-2] / 5.0 [MQTT-4.3.2-4]: a PUBACKed QoS 1 message arrives at least once.
            assertThat(lostQos1)
                    .as("%s: QoS 1 messages PUBACKed before kill -9 but never delivered", session)
                    .isEmpty();
            // [MQTT-4.3.3-2] / 5.0 [MQTT-4.3.3-8]: a PUBRECed QoS 2 message arrives ...
            assertThat(lostQos2)
                    .as("%s: QoS 2 messages PUBRECed before kill -9 but never delivered", session)
                    .isEmpty();
            // ... exactly once: [MQTT-4.3.3-3] / 5.0 [MQTT-4.3.3-9].
            assertThat(duplicatedQos2)
                    .as("%s: QoS 2 messages delivered more than once", session)
                    .isEmpty();
        }
    }
}
