package io.mqttra.console.api;

import io.mqttra.api.MqttException;
import io.mqttra.console.BrokerUnavailableException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Logger;

/**
 * Turns the admin interface's refusals into HTTP answers with a one-line reason, never a stack trace:
 * bad input 400, a refused action 409, no broker 503.
 */
final class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class.getName());

    private ErrorMappers() {}

    static Response answer(Response.Status status, String message) {
        LOG.info(() -> "admin API answers " + status.getStatusCode() + ": " + message);
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(new ApiError(message))
                .build();
    }

    @Provider
    public static final class BadInput implements ExceptionMapper<IllegalArgumentException> {
        @Override
        public Response toResponse(IllegalArgumentException e) {
            return answer(Response.Status.BAD_REQUEST, e.getMessage());
        }
    }

    @Provider
    public static final class Refused implements ExceptionMapper<MqttException> {
        @Override
        public Response toResponse(MqttException e) {
            return answer(Response.Status.CONFLICT, e.getMessage());
        }
    }

    @Provider
    public static final class Unavailable implements ExceptionMapper<BrokerUnavailableException> {
        @Override
        public Response toResponse(BrokerUnavailableException e) {
            return answer(Response.Status.SERVICE_UNAVAILABLE, e.getMessage());
        }
    }
}
