package io.mqttra.samples.it.tx;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

/** One message as a transacted test bean received it, written in the bean's transaction. */
@Entity
@Table(name = "IT_RECEIVED")
public class ReceivedRow {

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    /** When the row was written (ms), for a stable order in the test's listing. */
    @Column(name = "WRITTEN_AT", nullable = false)
    private long writtenAt;

    @Column(name = "BEAN", nullable = false)
    private String bean;

    @Column(name = "TOPIC", nullable = false)
    private String topic;

    @Column(name = "PAYLOAD", length = 4000, nullable = false)
    private String payload;

    @Column(name = "DUP", nullable = false)
    private boolean dup;

    protected ReceivedRow() {}

    public ReceivedRow(String bean, String topic, String payload, boolean dup) {
        this.id = UUID.randomUUID().toString();
        this.writtenAt = System.currentTimeMillis();
        this.bean = bean;
        this.topic = topic;
        this.payload = payload;
        this.dup = dup;
    }

    public String getBean() {
        return bean;
    }

    public String getTopic() {
        return topic;
    }

    public String getPayload() {
        return payload;
    }

    public boolean isDup() {
        return dup;
    }
}
