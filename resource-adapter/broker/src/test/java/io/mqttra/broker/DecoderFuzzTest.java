package io.mqttra.broker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A time-boxed mutation fuzzer for the decoder and protocol handler: valid packet sequences of MQTT 3.1,
 * 3.1.1 and 5.0 are mutated (bit flips, interesting bytes, insertions, deletions, splices, truncation) and fed
 * in random chunks to the broker's own connection pipeline on an EmbeddedChannel ({@link PipelineFeeder}), then to the live
 * broker over sockets. Asserted: no exception escapes the pipeline, the broker logs no internal error
 * (WARNING or worse), every input is handled in bounded time, and a well-behaved client still works after.
 *
 * <p>Reproduce a run with {@code -Dfuzz.seed=<seed>}; change the budget with {@code -Dfuzz.seconds=<s>}.
 * {@link DecoderJazzerFuzzTest} is the coverage-guided counterpart: in the normal test run Jazzer only replays
 * its corpus, so this time-boxed run is what fuzzes on every build.
 */
class DecoderFuzzTest {

    private static final long SEED = Long.getLong("fuzz.seed", 0x6d717474L);
    private static final int SECONDS = Integer.getInteger("fuzz.seconds", 20);
    private static final int MAX_PACKET = 16 * 1024;

    private MqttBroker broker;
    private PipelineFeeder feeder;

    @BeforeEach
    void start() {
        broker = PipelineFeeder.fuzzBroker(MAX_PACKET);
        feeder = new PipelineFeeder(broker);
    }

    @AfterEach
    void stop() {
        feeder.close();
        broker.stop();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void mutatedPackets_onTheBrokerPipeline_neverThrowNorHang_andTheBrokerKeepsServing() throws Exception {
        Random random = new Random(SEED);
        List<byte[]> seeds = seeds();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        int runs = 0;
        int closed = 0;
        long slowest = 0;
        while (System.nanoTime() < deadline) {
            byte[] input = mutate(random, seeds);
            long t0 = System.nanoTime();
            boolean open;
            try {
                open = feeder.feed(input, () -> 1 + random.nextInt(random.nextBoolean() ? 8 : 512));
            } catch (Throwable t) {
                throw new AssertionError(
                        "seed " + SEED + ", run " + runs + ": exception escaped for input "
                                + ByteBufUtil.hexDump(input),
                        t);
            }
            long took = System.nanoTime() - t0;
            slowest = Math.max(slowest, took);
            assertThat(TimeUnit.NANOSECONDS.toMillis(took))
                    .as("run %d took too long on %s", runs, ByteBufUtil.hexDump(input))
                    .isLessThan(2000);
            assertThat(feeder.internalErrors())
                    .as("internal errors, seed %d run %d input %s", SEED, runs, ByteBufUtil.hexDump(input))
                    .isEmpty();
            runs++;
            if (!open) {
                closed++;
            }
        }
        System.out.printf(
                "decoder fuzz: %d inputs (%d closed the connection), slowest %d ms, seed %d%n",
                runs, closed, TimeUnit.NANOSECONDS.toMillis(slowest), SEED);
        assertThat(runs).isGreaterThan(100);

        // The same kind of input against the live broker, several connections at a time.
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                Socket s = new Socket("127.0.0.1", broker.port());
                sockets.add(s);
                OutputStream out = s.getOutputStream();
                try {
                    out.write(mutate(random, seeds));
                    out.flush();
                } catch (java.io.IOException e) {
                    // the broker closed it already: fine
                }
                if (sockets.size() >= 20) {
                    for (Socket old : sockets) {
                        old.close();
                    }
                    sockets.clear();
                }
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        assertLiveBrokerServes();
        assertThat(feeder.internalErrors())
                .as("internal errors on the live broker (seed %d)", SEED)
                .isEmpty();
    }

    private void assertLiveBrokerServes() throws Exception {
        Mqtt5BlockingClient c = MqttClient.builder()
                .useMqttVersion5()
                .identifier("after-fuzz")
                .serverHost("127.0.0.1")
                .serverPort(broker.port())
                .buildBlocking();
        c.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = c.publishes(MqttGlobalPublishFilter.ALL)) {
            c.subscribeWith()
                    .topicFilter("after/fuzz")
                    .qos(MqttQos.EXACTLY_ONCE)
                    .send();
            c.publishWith()
                    .topic("after/fuzz")
                    .payload("ok".getBytes(UTF_8))
                    .qos(MqttQos.EXACTLY_ONCE)
                    .send();
            Optional<Mqtt5Publish> got = publishes.receive(10, TimeUnit.SECONDS);
            assertThat(got).isPresent();
            assertThat(new String(got.get().getPayloadAsBytes(), UTF_8)).isEqualTo("ok");
        } finally {
            c.disconnect();
        }
    }

    // ---------------------------------------------------------------- corpus and mutations

    private static byte[] mutate(Random r, List<byte[]> seeds) {
        byte[] base = seeds.get(r.nextInt(seeds.size())).clone();
        int rounds = 1 + r.nextInt(4);
        for (int i = 0; i < rounds && base.length > 0; i++) {
            base = switch (r.nextInt(7)) {
                case 0 -> flipBit(r, base);
                case 1 -> setInteresting(r, base);
                case 2 -> insert(r, base);
                case 3 -> delete(r, base);
                case 4 -> splice(r, base, seeds.get(r.nextInt(seeds.size())));
                case 5 -> truncate(r, base);
                default -> duplicate(r, base);
            };
        }
        return base;
    }

    private static byte[] flipBit(Random r, byte[] b) {
        int i = r.nextInt(b.length);
        b[i] ^= (byte) (1 << r.nextInt(8));
        return b;
    }

    private static final int[] INTERESTING = {
        0x00, 0x01, 0x02, 0x7F, 0x80, 0xFF, 0xFE, 0x10, 0x30, 0x3F, 0x82, 0xE0, 0xF0
    };

    private static byte[] setInteresting(Random r, byte[] b) {
        b[r.nextInt(b.length)] = (byte) INTERESTING[r.nextInt(INTERESTING.length)];
        return b;
    }

    private static byte[] insert(Random r, byte[] b) {
        int at = r.nextInt(b.length + 1);
        byte[] extra = new byte[1 + r.nextInt(8)];
        r.nextBytes(extra);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, at);
        out.writeBytes(extra);
        out.write(b, at, b.length - at);
        return out.toByteArray();
    }

    private static byte[] delete(Random r, byte[] b) {
        int at = r.nextInt(b.length);
        int n = 1 + r.nextInt(Math.min(8, b.length - at));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, at);
        out.write(b, at + n, b.length - at - n);
        return out.toByteArray();
    }

    private static byte[] splice(Random r, byte[] a, byte[] b) {
        int cutA = r.nextInt(a.length + 1);
        int cutB = r.nextInt(b.length + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(a, 0, cutA);
        out.write(b, cutB, b.length - cutB);
        return out.toByteArray();
    }

    private static byte[] truncate(Random r, byte[] b) {
        return java.util.Arrays.copyOf(b, r.nextInt(b.length + 1));
    }

    private static byte[] duplicate(Random r, byte[] b) {
        int at = r.nextInt(b.length);
        int n = 1 + r.nextInt(b.length - at);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, at + n);
        out.write(b, at, b.length - at);
        return out.toByteArray();
    }

    /** Valid conversations: a CONNECT of each protocol level followed by the packets a client may send. */
    static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        byte[] c31 = RawClient.connect("MQIsdp", 3, 0x02, 30, "fuzz-31");
        byte[] c311 = RawClient.connect311("fuzz-311", false, 30);
        byte[] c5 = connect5WithEverything();
        byte[] c311Will = connect311WithWillAndLogin();
        byte[] tail311 = concat(
                RawClient.subscribe(1, "fuzz/+/x", 1),
                RawClient.subscribe(2, "fuzz/#", 2),
                RawClient.publish(0, false, "fuzz/a/x", 0, "hello".getBytes(UTF_8)),
                RawClient.publish(1, false, "fuzz/a/x", 3, "q1".getBytes(UTF_8)),
                RawClient.publish(2, false, "fuzz/b", 4, "q2".getBytes(UTF_8)),
                RawClient.pubrel(4),
                new byte[] {0x40, 2, 0, 1}, // PUBACK
                new byte[] {0x50, 2, 0, 2}, // PUBREC
                new byte[] {0x70, 2, 0, 2}, // PUBCOMP
                RawClient.packet(0xA2, concat(new byte[] {0, 5}, str("fuzz/#"))), // UNSUBSCRIBE
                new byte[] {(byte) 0xC0, 0}, // PINGREQ
                new byte[] {(byte) 0xE0, 0}); // DISCONNECT
        byte[] tail5 = concat(
                RawClient.packet(0x82, concat(new byte[] {0, 1, 3, 0x0B, 7}, str("fuzz/+/x"), new byte[] {0x2D})),
                RawClient.packet(0x82, concat(new byte[] {0, 2, 0}, str("$share/g/fuzz/#"), new byte[] {1})),
                RawClient.packet(0x30, concat(str("fuzz/a/x"), new byte[] {0}, "v5".getBytes(UTF_8))),
                RawClient.packet(
                        0x32,
                        concat(
                                str("fuzz/a/x"),
                                new byte[] {0, 9},
                                new byte[] {11, 0x01, 1, 0x23, 0, 1, 0x02, 0, 0, 0, 60},
                                "alias".getBytes(UTF_8))),
                RawClient.packet(
                        0x34, concat(new byte[] {0, 0, 0, 10}, new byte[] {3, 0x23, 0, 1}, "by alias".getBytes(UTF_8))),
                RawClient.packet(0x62, new byte[] {0, 10, 0, 0}), // PUBREL with reason and no properties
                RawClient.packet(0xA2, concat(new byte[] {0, 3, 0}, str("fuzz/+/x"))),
                RawClient.packet(0xF0, new byte[] {0x18, 0}), // AUTH continue
                RawClient.packet(0xE0, new byte[] {0x04, 5, 0x11, 0, 0, 0, 10})); // DISCONNECT with will, expiry
        seeds.add(concat(c31, tail311));
        seeds.add(concat(c311, tail311));
        seeds.add(concat(c311Will, tail311));
        seeds.add(concat(c5, tail5));
        seeds.add(c5);
        seeds.add(c311);
        return seeds;
    }

    private static byte[] connect5WithEverything() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(str("MQTT"));
        b.write(5);
        b.write(0b1110_1110); // user, password, will retain, will QoS 1, will, clean start
        b.writeBytes(new byte[] {0, 30});
        byte[] props = concat(
                new byte[] {0x11, 0, 0, 0, 60},
                new byte[] {0x21, 0, 10},
                new byte[] {0x22, 0, 5},
                new byte[] {0x27, 0, 0, 0x40, 0},
                new byte[] {0x26},
                str("k"),
                str("v"));
        b.write(props.length);
        b.writeBytes(props);
        b.writeBytes(str("fuzz-5"));
        byte[] willProps =
                concat(new byte[] {0x18, 0, 0, 0, 1}, new byte[] {0x01, 1}, new byte[] {0x03}, str("text/plain"));
        b.write(willProps.length);
        b.writeBytes(willProps);
        b.writeBytes(str("fuzz/will"));
        b.writeBytes(str("gone"));
        b.writeBytes(str("user"));
        b.writeBytes(str("secret"));
        return RawClient.packet(0x10, b.toByteArray());
    }

    private static byte[] connect311WithWillAndLogin() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(str("MQTT"));
        b.write(4);
        b.write(0b1101_0110); // user, password, will QoS 2... (bits 4-3 = 10), will, clean session
        b.writeBytes(new byte[] {0, 30});
        b.writeBytes(str("fuzz-will"));
        b.writeBytes(str("fuzz/will"));
        b.writeBytes(str("bye"));
        b.writeBytes(str("user"));
        b.writeBytes(str("pw"));
        return RawClient.packet(0x10, b.toByteArray());
    }

    private static byte[] str(String s) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        RawClient.writeString(b, s);
        return b.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
