package io.mqttra.samples.it;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** What {@link InboundRecorder} received, one line per call: {@code method|topic|qos|payload}. */
@ApplicationScoped
public class ReceivedMessages {

    private final List<String> lines = new CopyOnWriteArrayList<>();

    void add(String method, String topic, int qos, String payload) {
        lines.add(method + "|" + topic + "|" + qos + "|" + payload);
    }

    List<String> lines() {
        return List.copyOf(lines);
    }
}
