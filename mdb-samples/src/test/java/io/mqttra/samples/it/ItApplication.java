package io.mqttra.samples.it;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

@ApplicationPath("api")
public class ItApplication extends Application {}
