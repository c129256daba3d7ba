package io.mqttra.samples.buildingsensors;

import jakarta.ejb.EJB;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** {@code GET /api/rooms}: every room's summary; {@code GET /api/rooms/{room}}: one (404 before its first reading). */
@Path("rooms")
@Produces(MediaType.APPLICATION_JSON)
public class RoomResource {

    @EJB
    RoomAggregates rooms;

    @GET
    public List<RoomSummary> all() {
        return rooms.all();
    }

    @GET
    @Path("{room}")
    public Response one(@PathParam("room") String room) {
        return rooms.summary(room)
                .map(s -> Response.ok(s).build())
                .orElseGet(() -> Response.status(Response.Status.NOT_FOUND).build());
    }
}
