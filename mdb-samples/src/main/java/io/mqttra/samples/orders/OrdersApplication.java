package io.mqttra.samples.orders;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The samples' REST endpoints live under {@code /api}. */
@ApplicationPath("api")
public class OrdersApplication extends Application {}
