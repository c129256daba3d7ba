package io.mqttra.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of the broker's connection pipeline with Jazzer. In the normal test run (no
 * JAZZER_FUZZ) it replays the corpus in {@code src/test/resources/io/mqttra/broker/DecoderJazzerFuzzTestInputs}
 * (valid conversations of MQTT 3.1, 3.1.1 and 5.0 and the inputs past runs found); to fuzz for 30 s:
 * {@code JAZZER_FUZZ=1 mvn -pl resource-adapter/broker test -Dtest=DecoderJazzerFuzzTest}. A crash is written to
 * that directory and then replays in every build.
 */
class DecoderJazzerFuzzTest {

    private static MqttBroker broker;
    private static PipelineFeeder feeder;

    @BeforeAll
    static void start() {
        broker = PipelineFeeder.fuzzBroker(16 * 1024);
        feeder = new PipelineFeeder(broker);
    }

    @AfterAll
    static void stop() {
        feeder.close();
        broker.stop();
    }

    @FuzzTest(maxDuration = "30s")
    void pipelineHandlesAnyBytes(byte[] input) {
        // The first byte picks the chunk size, so splits at every position get explored too.
        int chunk = input.length == 0 ? 1 : 1 + (input[0] & 0x3F);
        feeder.feed(input, () -> chunk);
        assertThat(feeder.internalErrors())
                .as("internal errors for input %s", ByteBufUtil.hexDump(input))
                .isEmpty();
    }
}
