package io.mqttra.samples.orders;

import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /api/orders?item=lamp&quantity=2} creates an order and publishes {@code orders/created};
 * {@code &rollback=true} makes the transaction roll back (409, nothing stored, nothing published).
 * {@code GET /api/orders/{id}} reads one back.
 */
@Path("orders")
@Produces(MediaType.APPLICATION_JSON)
public class OrderResource {

    @Inject
    OrderService orders;

    @POST
    public Response create(
            @QueryParam("item") String item,
            @QueryParam("quantity") @DefaultValue("1") int quantity,
            @QueryParam("rollback") @DefaultValue("false") boolean rollback) {
        if (item == null || item.isBlank() || quantity < 1) {
            return Response.status(Response.Status.BAD_REQUEST)
                    .entity("{\"error\":\"item and a positive quantity are required\"}")
                    .build();
        }
        try {
            PurchaseOrder order = orders.create(item, quantity, rollback);
            return Response.status(Response.Status.CREATED)
                    .entity(new OrderCreated(order.getId(), item, quantity))
                    .build();
        } catch (OrderRejected e) {
            return Response.status(Response.Status.CONFLICT)
                    .entity("{\"rolledBack\":true}")
                    .build();
        }
    }

    @GET
    @Path("{id}")
    public Response find(@PathParam("id") String id) {
        PurchaseOrder order = orders.find(id);
        return order == null
                ? Response.status(Response.Status.NOT_FOUND).build()
                : Response.ok(new OrderCreated(order.getId(), order.getItem(), order.getQuantity()))
                        .build();
    }
}
