package io.mqttra.samples.it;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** What {@link InboundRecorder} received, one line per call: {@code method|topic|qos|payload}. */
@ApplicationScoped
public class ReceivedMessages {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AtomicInteger inside = new AtomicInteger();
    private final AtomicInteger mostInside = new AtomicInteger();

    void add(String method, String topic, int qos, String payload) {
        lines.add(method + "|" + topic + "|" + qos + "|" + payload);
    }

    /** A bean method starts: counts how many run at the same time. */
    void enter() {
        mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
    }

    void exit() {
        inside.decrementAndGet();
    }

    /** The most bean methods that ran at the same time. */
    int mostConcurrent() {
        return mostInside.get();
    }

    List<String> lines() {
        return List.copyOf(lines);
    }
}
