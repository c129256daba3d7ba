package io.mqttra.samples.it.tx;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Every call of the failing test bean, kept outside its (rolled back) transaction. */
@ApplicationScoped
public class Attempts {

    private final List<String> lines = new CopyOnWriteArrayList<>();

    void add(String line) {
        lines.add(line);
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }
}
