package io.mqttra.ra.inflow;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.io.ByteArrayInputStream;
import java.lang.reflect.Type;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Binds JSON payloads to the POJO parameters of listener methods with JSON-B. One per activation: the JSON-B
 * runtime caches what it learns about the bean's classes, so it must not outlive the application.
 */
final class JsonPayloads implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(JsonPayloads.class.getName());

    private final Jsonb jsonb;

    JsonPayloads() {
        this.jsonb = JsonbBuilder.create();
    }

    /** @throws jakarta.json.bind.JsonbException when the payload is not JSON of that shape */
    Object bind(byte[] payload, Type type) {
        // JSON-B reads UTF-8 (and detects UTF-16/32) from a stream, as RFC 8259 payloads are.
        return jsonb.fromJson(new ByteArrayInputStream(payload), type);
    }

    @Override
    public void close() {
        try {
            jsonb.close();
        } catch (Exception e) {
            LOG.log(Level.FINE, "Closing JSON-B failed", e);
        }
    }
}
