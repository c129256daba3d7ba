package io.mqttra.console.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** What every action resource checks and answers in the same way. */
final class Requests {

    private Requests() {}

    static void requireNonEmpty(String name, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("query parameter '" + name + "' is required");
        }
    }

    /** 204 when the action was carried out, 404 with the reason when there was nothing to act on. */
    static Response doneOrNotFound(boolean done, String notFound) {
        return done
                ? Response.noContent().build()
                : Response.status(Response.Status.NOT_FOUND)
                        .type(MediaType.APPLICATION_JSON)
                        .entity(new ApiError(notFound))
                        .build();
    }
}
