package io.mqttra.samples.buildingsensors;

/**
 * What a room's sensor publishes on {@code house/<room>/sensor}, bound from JSON by the resource adapter with JSON-B:
 * {@code {"temperature":21.5,"humidity":40}}. A sensor that measures only one of them leaves the other out (null).
 *
 * @param temperature degrees Celsius
 * @param humidity    relative humidity in percent
 */
public record SensorReading(Double temperature, Double humidity) {}
