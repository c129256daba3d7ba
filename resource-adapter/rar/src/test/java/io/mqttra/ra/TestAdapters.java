package io.mqttra.ra;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.work.WorkManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Adapters for tests. */
public final class TestAdapters {

    private TestAdapters() {}

    /**
     * An adapter on an ephemeral port, with a fresh store under target/, that ignores MQTT_PORT and friends in the
     * environment of the build.
     */
    public static MqttResourceAdapter isolated() {
        MqttResourceAdapter adapter = new MqttResourceAdapter();
        adapter.overrides(ConfigOverrides.fromSystem(name -> null, name -> null));
        adapter.setPort(0);
        try {
            Files.createDirectories(Path.of("target"));
            adapter.setDataDirectory(
                    Files.createTempDirectory(Path.of("target"), "ra-data").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return adapter;
    }

    /** An isolated adapter started on an existing data directory: a restart of the server that used it before. */
    public static MqttResourceAdapter startedOn(String dataDirectory, WorkManager workManager)
            throws ResourceException {
        MqttResourceAdapter adapter = isolated();
        adapter.setDataDirectory(dataDirectory);
        adapter.start(new TestBootstrapContext(workManager));
        return adapter;
    }
}
