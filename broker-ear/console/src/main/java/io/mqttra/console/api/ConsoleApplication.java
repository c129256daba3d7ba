package io.mqttra.console.api;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The admin REST API of the console, under /mqtt-console/api. */
@ApplicationPath("api")
public class ConsoleApplication extends Application {}
