package io.mqttra.console.api;

/** The body of every error answer of the admin API. */
public record ApiError(String error) {}
