package io.mqttra.console.api;

import io.mqttra.api.admin.SessionInfo;
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

/** Sessions online and offline. {@code DELETE /sessions?clientId=...} purges one. */
@Path("sessions")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class SessionsResource {

    private static final Logger LOG = Logger.getLogger(SessionsResource.class.getName());

    @Inject
    BrokerAdminLocator broker;

    @GET
    public List<SessionInfo> sessions() {
        return broker.admin().sessions();
    }

    @DELETE
    public Response purge(@QueryParam("clientId") String clientId) {
        Requests.requireNonEmpty("clientId", clientId);
        LOG.info(() -> "console: purge session " + clientId);
        return Requests.doneOrNotFound(broker.admin().purgeSession(clientId), "no session '" + clientId + "'");
    }
}
