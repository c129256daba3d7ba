package io.mqttra.console.api;

import io.mqttra.api.admin.RetainedMessageInfo;
import io.mqttra.console.BrokerAdminLocator;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.logging.Logger;

/**
 * Retained messages: {@code GET /retained?filter=house/%23&limit=100} browses, {@code DELETE /retained?topic=...}
 * deletes one (without publishing anything).
 */
@Path("retained")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class RetainedResource {

    private static final Logger LOG = Logger.getLogger(RetainedResource.class.getName());

    @Inject
    BrokerAdminLocator broker;

    @GET
    public List<RetainedMessageInfo> browse(
            @QueryParam("filter") @DefaultValue("#") String filter,
            @QueryParam("limit") @DefaultValue("100") int limit) {
        return broker.admin().retained(filter, limit);
    }

    @DELETE
    public Response delete(@QueryParam("topic") String topic) {
        Requests.requireNonEmpty("topic", topic);
        LOG.info(() -> "console: delete retained message on " + topic);
        return Requests.doneOrNotFound(broker.admin().deleteRetained(topic), "no retained message on '" + topic + "'");
    }
}
