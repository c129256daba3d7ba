package io.mqttra.samples.orders;

/** The event published on {@code orders/created}, as JSON: {@code {"id":"...","item":"...","quantity":2}}. */
public record OrderCreated(String id, String item, int quantity) {}
