package io.mqttra.samples.it;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /api/received}: the lines of {@link ReceivedMessages}, one per line. */
@Path("received")
public class ReceivedResource {

    @Inject
    ReceivedMessages received;

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String received() {
        return String.join("\n", received.lines());
    }

    @GET
    @Path("concurrency")
    @Produces(MediaType.TEXT_PLAIN)
    public String concurrency() {
        return Integer.toString(received.mostConcurrent());
    }
}
