package io.mqttra.ra.outbound;

import jakarta.resource.spi.ManagedConnectionMetaData;

/** Describes the "EIS" behind a managed connection: the broker of this server, with no user and no connection limit. */
final class MqttConnectionMetaData implements ManagedConnectionMetaData {

    @Override
    public String getEISProductName() {
        return "mqtt-ra broker (MQTT 3.1.1 / 5.0)";
    }

    @Override
    public String getEISProductVersion() {
        String version = MqttConnectionMetaData.class.getPackage().getImplementationVersion();
        return version == null ? "unknown" : version;
    }

    @Override
    public int getMaxConnections() {
        return 0; // no limit of its own: the pool decides
    }

    @Override
    public String getUserName() {
        return "";
    }
}
