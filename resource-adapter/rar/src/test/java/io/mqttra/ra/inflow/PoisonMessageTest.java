package io.mqttra.ra.inflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttra.ra.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A message that makes its bean crash the server keeps its redelivery budget across restarts: the delivery count
 * is stored with the queued message before each attempt, so after limit + 1 crashed attempts the restarted server
 * dead-letters it instead of handing it to the bean forever.
 */
class PoisonMessageTest {

    @Test
    void aMessageWhoseBeanCrashesTheServerIsDeadLetteredAfterTheLimitInsteadOfLoopingAcrossRestarts() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "poison");
        int limit = PoisonMessageChild.REDELIVERY_LIMIT;
        List<String> invocations = new ArrayList<>();
        List<Integer> exits = new ArrayList<>();
        String deadLetter = null;
        for (int life = 1; life <= limit + 3 && deadLetter == null; life++) {
            ChildJvm.Result r = life == 1
                    ? ChildJvm.run(
                            PoisonMessageChild.class, List.of(), data.resolve("life-1.log"), data.toString(), "publish")
                    : ChildJvm.run(
                            PoisonMessageChild.class,
                            List.of(),
                            data.resolve("life-" + life + ".log"),
                            data.toString());
            exits.add(r.exitCode());
            invocations.addAll(r.linesStartingWith("INVOKED"));
            deadLetter = r.linesStartingWith("DEAD").stream().findFirst().orElse(null);
        }
        assertThat(invocations)
                .as("the bean got it limit + 1 times, DUP from the second [MQTT-3.3.1-1]")
                .containsExactly("INVOKED dup=false", "INVOKED dup=true");
        assertThat(exits)
                .as("each of those crashed the server, then it was dead-lettered")
                .containsExactly(97, 97, 0);
        assertThat(deadLetter).isEqualTo("DEAD attempts=" + (limit + 1));
    }
}
