package io.mqttra.console.health;

import io.mqttra.api.admin.BrokerOverview;
import io.mqttra.console.BrokerAdminLocator;
import io.mqttra.console.BrokerUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Alive unless the broker is deployed but broken: its admin interface then fails instead of answering. A broker
 * that is not deployed or stopped is not ready, but restarting the server would not help it, so it stays live.
 * Shown on /health/live.
 */
@Liveness
@ApplicationScoped
public class BrokerLivenessCheck implements HealthCheck {

    @Inject
    BrokerAdminLocator locator;

    @Override
    public HealthCheckResponse call() {
        try {
            BrokerOverview o = locator.admin().overview();
            return HealthCheckResponse.named(BrokerReadinessCheck.NAME)
                    .up()
                    .withData("running", o.running())
                    .build();
        } catch (BrokerUnavailableException e) {
            return HealthCheckResponse.named(BrokerReadinessCheck.NAME)
                    .up()
                    .withData("running", false)
                    .build();
        } catch (RuntimeException e) {
            return HealthCheckResponse.named(BrokerReadinessCheck.NAME)
                    .down()
                    .withData("reason", String.valueOf(e.getMessage()))
                    .build();
        }
    }
}
