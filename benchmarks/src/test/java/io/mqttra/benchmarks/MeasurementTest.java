package io.mqttra.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing of the command line, /proc readings, percentiles and the ratios of the table. */
class MeasurementTest {

    @Test
    void parsesATargetWithAndWithoutPid() {
        assertThat(Target.parse("mosquitto=127.0.0.1:1884:42"))
                .isEqualTo(new Target("mosquitto", "127.0.0.1", 1884, 42));
        assertThat(Target.parse("engine=127.0.0.1:5000").pid()).isZero();
        assertThatThrownBy(() -> Target.parse("127.0.0.1:5000")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsCpuTimeAndResidentMemoryOfThisProcess() {
        long self = ProcessHandle.current().pid();
        assertThat(ProcessStats.cpuTicks(self)).isPositive();
        assertThat(ProcessStats.rssKiB(self)).isGreaterThan(1024);
        assertThat(ProcessStats.cpuTicks(Long.MAX_VALUE)).isEqualTo(-1);
    }

    @Test
    void percentilesUseTheNearestRank() {
        LatencyRecorder r = new LatencyRecorder(100);
        for (int i = 100; i >= 1; i--) {
            r.record(i * 1_000_000L);
        }
        assertThat(r.percentileMillis(50)).isEqualTo(50.0);
        assertThat(r.percentileMillis(99)).isEqualTo(99.0);
        assertThat(new LatencyRecorder(1).percentileMillis(50)).isNaN();
    }

    @Test
    void tableComparesEachBrokerWithMosquittoInTheSameScenario() {
        Result mosquitto = new Result(
                "fan-in QoS 2", "mosquitto", Result.Kind.MESSAGES, 1000, 1000, 1.0, 1, 2, 10.0, 0, 0, Double.NaN, "");
        Result engine = new Result(
                "fan-in QoS 2", "engine", Result.Kind.MESSAGES, 1000, 990, 0.5, 1, 2, 5.0, 3, 0, Double.NaN, "");
        String table = new ResultTable(List.of(mosquitto, engine)).render();

        assertThat(table).contains("| fan-in QoS 2 | engine | 990 / 1,000 | 1,980 | ×1.98 |");
        assertThat(table).contains("| 5.0 | ×0.50 | 10 | 3 |");
        assertThat(table)
                .contains("engine: QoS 2 no loss, no duplicates, fan-in QoS 2: **missed** (10 lost, 3 duplicates");
    }
}
