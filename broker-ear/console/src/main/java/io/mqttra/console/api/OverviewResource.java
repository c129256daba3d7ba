package io.mqttra.console.api;

import io.mqttra.api.admin.BrokerOverview;
import io.mqttra.console.BrokerAdminLocator;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The broker at a glance: running, listeners, store, figures. */
@Path("overview")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class OverviewResource {

    @Inject
    BrokerAdminLocator broker;

    @GET
    public BrokerOverview overview() {
        return broker.admin().overview();
    }
}
