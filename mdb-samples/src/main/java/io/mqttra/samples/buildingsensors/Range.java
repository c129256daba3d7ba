package io.mqttra.samples.buildingsensors;

import jakarta.json.bind.annotation.JsonbPropertyOrder;

/** Lowest, highest and mean value of one quantity in one room. */
@JsonbPropertyOrder({"min", "max", "mean"})
public record Range(double min, double max, double mean) {}
