package io.mqttra.samples.it.tx;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the broker's figures where operators read them: Payara's {@code /metrics} (Prometheus text), filled by the
 * console's gauges ({@code mqtt_*}), which the test deploys next to the RAR as run-micro.sh does.
 */
final class ServerMetrics {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final URI metrics;

    /** @param serverRoot e.g. {@code http://127.0.0.1:8080/} (the server's root, not an application's) */
    ServerMetrics(URI serverRoot) {
        this.metrics = serverRoot.resolve("/metrics");
    }

    /**
     * The value of a gauge without tags, as now on /metrics.
     *
     * @throws AssertionError when /metrics does not answer or has no such gauge
     */
    long value(String name) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(metrics)
                        .timeout(Duration.ofSeconds(30))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + metrics + ": " + response.statusCode() + " " + response.body());
        }
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? ([0-9.Ee+-]+)$")
                .matcher(response.body());
        if (!m.find()) {
            throw new AssertionError(name + " not on " + metrics + ":\n" + response.body());
        }
        return (long) Double.parseDouble(m.group(2));
    }
}
