package io.mqttra.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The single row that says which schema version the database holds. */
@Entity
@Table(name = "MQTT_SCHEMA_VERSION")
public class SchemaVersionEntity {

    @Id
    @Column(name = "ID")
    int id = 1;

    @Column(name = "VERSION", nullable = false)
    int version;

    @Column(name = "UPDATED_AT", nullable = false)
    long updatedAt;
}
