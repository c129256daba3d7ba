package io.mqttra.samples.bench;

import io.mqttra.api.MqttConnection;
import io.mqttra.api.MqttConnectionFactory;
import io.mqttra.samples.orders.PurchaseOrder;
import jakarta.annotation.Resource;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.UUID;

/**
 * One JTA transaction per call, as an application would publish: one message through the connection factory,
 * optionally with an order row written to the XA data source {@code jdbc/orders} (then the server runs a two-phase
 * commit over the database and the broker). The message reaches subscribers only when the transaction commits.
 */
@Stateless
public class TransactionalPublisher {

    @PersistenceContext(unitName = "orders")
    private EntityManager orders;

    @Resource(lookup = "mqtt/ConnectionFactory")
    private MqttConnectionFactory mqtt;

    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public void publish(String topic, byte[] payload, int qos, boolean withOrderRow) {
        if (withOrderRow) {
            orders.persist(new PurchaseOrder(UUID.randomUUID().toString(), "bench", 1, System.currentTimeMillis()));
        }
        try (MqttConnection connection = mqtt.getConnection()) {
            connection.publish(topic, payload, qos, false);
        }
    }
}
