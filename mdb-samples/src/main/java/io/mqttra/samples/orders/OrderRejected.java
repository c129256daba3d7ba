package io.mqttra.samples.orders;

import jakarta.ejb.ApplicationException;

/**
 * Thrown by {@link OrderService} to undo an order: being an application exception with {@code rollback = true}, it
 * reaches the caller unwrapped and rolls back the transaction, i.e. the order row AND the published event.
 */
@ApplicationException(rollback = true)
public class OrderRejected extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public OrderRejected(String message) {
        super(message);
    }
}
