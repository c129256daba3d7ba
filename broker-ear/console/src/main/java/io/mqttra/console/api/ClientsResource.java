package io.mqttra.console.api;

import io.mqttra.api.admin.ClientInfo;
import io.mqttra.console.BrokerAdminLocator;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.logging.Logger;

/**
 * Connected network clients. {@code DELETE /clients?clientId=...} disconnects one. Client identifiers go in the
 * query, not the path: they may contain '/' (which servers refuse encoded in a path).
 */
@Path("clients")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class ClientsResource {

    private static final Logger LOG = Logger.getLogger(ClientsResource.class.getName());

    @Inject
    BrokerAdminLocator broker;

    @GET
    public List<ClientInfo> clients() {
        return broker.admin().clients();
    }

    @DELETE
    public Response disconnect(@QueryParam("clientId") String clientId) {
        Requests.requireNonEmpty("clientId", clientId);
        LOG.info(() -> "console: disconnect client " + clientId);
        return Requests.doneOrNotFound(broker.admin().disconnect(clientId), "no connected client '" + clientId + "'");
    }
}
