package io.mqttra.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Renders results as markdown: a table of message scenarios, a table of idle connections, and the project's
 * targets checked against Mosquitto measured in the same run.
 */
final class ResultTable {

    private final List<Result> results;

    ResultTable(List<Result> results) {
        this.results = List.copyOf(results);
    }

    String render() {
        StringBuilder b = new StringBuilder();
        boolean anyMessages = results.stream().anyMatch(r -> r.kind() != Result.Kind.CONNECTIONS);
        if (anyMessages) {
            b.append(
                    "| Scenario | Broker | Delivered / expected | Rate (msg/s) | Rate × Mosquitto | p50 (ms) | p99 (ms) "
                            + "| Broker CPU (µs/msg) | CPU × Mosquitto | Lost | Dup | Notes |\n");
            b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        }
        for (Result r : results) {
            if (r.kind() == Result.Kind.FAILED) {
                b.append(row(
                        r.scenario(),
                        r.broker(),
                        "—",
                        "—",
                        "—",
                        "—",
                        "—",
                        "—",
                        "—",
                        "—",
                        "—",
                        "**failed**: " + Notes.shorten(r.note())));
            } else if (r.kind() == Result.Kind.MESSAGES) {
                Optional<Result> m = mosquitto(r);
                b.append(row(
                        r.scenario(),
                        r.broker(),
                        String.format(Locale.ROOT, "%,d / %,d", r.delivered(), r.expected()),
                        num(r.rate(), 0),
                        m.map(x -> ratio(r.rate(), x.rate())).orElse(""),
                        num(r.p50Millis(), 2),
                        num(r.p99Millis(), 2),
                        num(r.cpuMicrosPerMessage(), 1),
                        m.map(x -> ratio(r.cpuMicrosPerMessage(), x.cpuMicrosPerMessage()))
                                .orElse(""),
                        Long.toString(r.lost()),
                        Long.toString(r.duplicates()),
                        Notes.shorten(r.note()) + (r.reordered() > 0 ? "; " + r.reordered() + " out of order" : "")));
            }
        }
        List<Result> idle = results.stream()
                .filter(r -> r.kind() == Result.Kind.CONNECTIONS)
                .toList();
        if (!idle.isEmpty()) {
            b.append("\n| Idle connections | Broker | Open / asked | Connect rate (/s) | RSS per connection (KiB) "
                    + "| × Mosquitto | Notes |\n");
            b.append("|---|---|---:|---:|---:|---:|---|\n");
            for (Result r : idle) {
                Optional<Result> m = mosquitto(r);
                b.append(row(
                        r.scenario(),
                        r.broker(),
                        String.format(Locale.ROOT, "%,d / %,d", r.delivered(), r.expected()),
                        num(r.rate(), 0),
                        num(r.rssPerConnectionKiB(), 2),
                        m.map(x -> ratio(r.rssPerConnectionKiB(), x.rssPerConnectionKiB()))
                                .orElse(""),
                        Notes.shorten(r.note())));
            }
        }
        b.append(checks());
        return b.toString();
    }

    /** The project's targets, for every broker that is not Mosquitto. */
    private String checks() {
        StringBuilder b = new StringBuilder("\nTargets (the relative ones checked against Mosquitto in this run):\n\n");
        List<String> brokers = new ArrayList<>();
        results.stream()
                .map(Result::broker)
                .filter(n -> !n.toLowerCase(Locale.ROOT).contains("mosquitto"))
                .distinct()
                .forEach(brokers::add);
        for (String broker : brokers) {
            for (Result r : results) {
                if (!r.broker().equals(broker)) {
                    continue;
                }
                Optional<Result> m = mosquitto(r);
                if (r.kind() == Result.Kind.MESSAGES && r.scenario().startsWith("fan-in") && m.isPresent()) {
                    double ours = r.cpuMicrosPerMessage();
                    double theirs = m.get().cpuMicrosPerMessage();
                    b.append(check(
                            broker,
                            "CPU/msg ≤ Mosquitto, " + r.scenario(),
                            ours <= theirs,
                            String.format(
                                    Locale.ROOT,
                                    "%s vs %s µs/msg (%s)",
                                    num(ours, 1),
                                    num(theirs, 1),
                                    ratio(ours, theirs))));
                }
                if (r.kind() == Result.Kind.MESSAGES
                        && r.scenario().startsWith("fan-in")
                        && r.scenario().contains("QoS 2")) {
                    b.append(check(
                            broker,
                            "QoS 2 no loss, no duplicates, " + r.scenario(),
                            r.lost() == 0 && r.duplicates() == 0 && r.delivered() > 0,
                            r.lost() + " lost, " + r.duplicates() + " duplicates of " + r.expected()));
                }
                if (r.kind() == Result.Kind.MESSAGES && r.scenario().startsWith("latency") && m.isPresent()) {
                    double ours = r.p50Millis();
                    double theirs = m.get().p50Millis();
                    b.append(check(
                            broker,
                            "p50 ≤ Mosquitto, " + r.scenario(),
                            ours <= theirs,
                            String.format(
                                    Locale.ROOT,
                                    "%s vs %s ms (%s)",
                                    num(ours, 2),
                                    num(theirs, 2),
                                    ratio(ours, theirs))));
                }
                if (r.kind() == Result.Kind.MESSAGES && r.scenario().contains("QoS 1 into") && broker.contains("H2")) {
                    b.append(check(
                            broker,
                            "durable QoS 1 into persistent sessions ≥ 20,000 msg/s with H2, no loss, "
                                    + "no duplicates, " + r.scenario(),
                            r.rate() >= 20_000 && r.lost() == 0 && r.duplicates() == 0,
                            String.format(
                                    Locale.ROOT,
                                    "%s msg/s, %d lost, %d duplicates",
                                    num(r.rate(), 0),
                                    r.lost(),
                                    r.duplicates())));
                }
                if (r.kind() == Result.Kind.MESSAGES && r.scenario().startsWith("transactional QoS 2")) {
                    b.append(check(
                            broker,
                            "transactional QoS 2 publishes from EJBs ≥ 5,000/s, no loss, no duplicates, "
                                    + r.scenario(),
                            r.rate() >= 5_000 && r.lost() == 0 && r.duplicates() == 0 && r.delivered() > 0,
                            String.format(
                                    Locale.ROOT,
                                    "%s tx/s, %d lost, %d duplicates",
                                    num(r.rate(), 0),
                                    r.lost(),
                                    r.duplicates())));
                }
                if (r.kind() == Result.Kind.CONNECTIONS) {
                    b.append(check(
                            broker,
                            "≥ 19,000 idle connections at ≤ 4 KiB each",
                            r.delivered() >= 19_000 && r.rssPerConnectionKiB() <= 4.0,
                            String.format(
                                    Locale.ROOT,
                                    "%,d connections at %s KiB",
                                    r.delivered(),
                                    num(r.rssPerConnectionKiB(), 2))));
                }
                if (r.kind() == Result.Kind.FAILED) {
                    b.append(check(broker, r.scenario(), false, "run failed"));
                }
            }
        }
        return b.toString();
    }

    private static String check(String broker, String what, boolean met, String detail) {
        return "- " + broker + ": " + what + ": **" + (met ? "met" : "missed") + "** (" + detail + ")\n";
    }

    private Optional<Result> mosquitto(Result r) {
        if (r.broker().toLowerCase(Locale.ROOT).contains("mosquitto")) {
            return Optional.empty();
        }
        return results.stream()
                .filter(x -> x.broker().toLowerCase(Locale.ROOT).contains("mosquitto"))
                .filter(x -> x.scenario().equals(r.scenario()) && x.kind() == r.kind())
                .findFirst();
    }

    private static String row(String... cells) {
        return "| " + String.join(" | ", cells) + " |\n";
    }

    static String num(double v, int decimals) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "—";
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    static String ratio(double ours, double theirs) {
        if (Double.isNaN(ours) || Double.isNaN(theirs) || theirs == 0) {
            return "—";
        }
        return String.format(Locale.ROOT, "×%.2f", ours / theirs);
    }
}
