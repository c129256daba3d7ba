package io.mqttra.samples.orders;

import io.mqttra.api.MqttConnection;
import io.mqttra.api.MqttConnectionFactory;
import io.mqttra.api.PublishProperties;
import jakarta.annotation.Resource;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Creates an order and announces it to devices in ONE JTA transaction: the row goes to the database (an XA data
 * source) and the event to {@code orders/created} through the MQTT connection factory, whose XAResource holds the
 * message until commit. Both happen or neither: with two XA resources the server runs a real two-phase commit, and a
 * crash between prepare and commit is resolved by its transaction recovery.
 */
@Stateless
public class OrderService {

    public static final String CREATED_TOPIC = "orders/created";

    private static final Jsonb JSON = JsonbBuilder.create();

    @PersistenceContext(unitName = "orders")
    private EntityManager em;

    @Resource(lookup = "mqtt/ConnectionFactory")
    private MqttConnectionFactory mqtt;

    /**
     * @param rollback when true the order is rejected after it was stored and published: the transaction rolls
     *                 back, so nobody ever sees either
     * @throws OrderRejected when {@code rollback} is set
     */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public PurchaseOrder create(String item, int quantity, boolean rollback) {
        PurchaseOrder order =
                new PurchaseOrder(UUID.randomUUID().toString(), item, quantity, System.currentTimeMillis());
        em.persist(order);
        byte[] event =
                JSON.toJson(new OrderCreated(order.getId(), item, quantity)).getBytes(StandardCharsets.UTF_8);
        try (MqttConnection connection = mqtt.getConnection()) {
            connection.publish(
                    CREATED_TOPIC,
                    event,
                    1,
                    false,
                    PublishProperties.builder()
                            .payloadUtf8(true)
                            .contentType("application/json")
                            .build());
        }
        if (rollback) {
            throw new OrderRejected("order " + order.getId() + " rejected on request: nothing is stored or published");
        }
        return order;
    }

    public PurchaseOrder find(String id) {
        return em.find(PurchaseOrder.class, id);
    }
}
