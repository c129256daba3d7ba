package io.mqttra.benchmarks;

import java.util.List;

/** A bounded load pattern run once against each broker. */
interface Scenario {

    /** Short label for the table, e.g. "fan-in 10→1 QoS 1, 64 B". */
    String name();

    /** Stable key for {@code --only}, e.g. "fanin". */
    String key();

    /** Usually one result; a scenario with phases (publish, then drain) may report one per phase. */
    List<Result> run(Target target, Settings settings) throws Exception;
}
