package io.mqttra.console.api;

import io.mqttra.api.admin.SubscriptionInfo;
import io.mqttra.console.BrokerAdminLocator;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** Every subscription of every session. */
@Path("subscriptions")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class SubscriptionsResource {

    @Inject
    BrokerAdminLocator broker;

    @GET
    public List<SubscriptionInfo> subscriptions() {
        return broker.admin().subscriptions();
    }
}
