package io.mqttra.console.health;

import io.mqttra.api.admin.BrokerOverview;
import io.mqttra.console.BrokerAdminLocator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the broker's listeners are bound and its store answers: only then can a client connect and have its
 * messages kept. Shown on /health/ready.
 */
@Readiness
@ApplicationScoped
public class BrokerReadinessCheck implements HealthCheck {

    static final String NAME = "mqtt-broker";

    @Inject
    BrokerAdminLocator locator;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder r = HealthCheckResponse.named(NAME);
        BrokerOverview o;
        try {
            o = locator.admin().overview();
        } catch (RuntimeException e) {
            return r.down().withData("reason", String.valueOf(e.getMessage())).build();
        }
        boolean listening = o.running() && !o.listeners().isEmpty();
        r.withData("listeners", String.join(" ", o.listeners()))
                .withData("store", o.storeStatus())
                .withData("connections", o.metrics().connections());
        return r.status(listening && o.storeReachable()).build();
    }
}
