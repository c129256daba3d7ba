package io.mqttra.ra;

/** Adapters for tests. */
public final class TestAdapters {

    private TestAdapters() {
    }

    /** An adapter on an ephemeral port that ignores MQTT_PORT and friends in the environment of the build. */
    public static MqttResourceAdapter isolated() {
        MqttResourceAdapter adapter = new MqttResourceAdapter();
        adapter.overrides(ConfigOverrides.fromSystem(name -> null, name -> null));
        adapter.setPort(0);
        return adapter;
    }
}
