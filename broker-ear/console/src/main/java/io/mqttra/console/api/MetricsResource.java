package io.mqttra.console.api;

import io.mqttra.api.admin.MetricsSnapshot;
import io.mqttra.console.BrokerAdminLocator;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The broker's counters and gauges now; two readings give the console its message rates. */
@Path("metrics")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class MetricsResource {

    @Inject
    BrokerAdminLocator broker;

    @GET
    public MetricsSnapshot metrics() {
        return broker.admin().metrics();
    }
}
