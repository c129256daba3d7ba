package io.mqttra.samples.buildingsensors;

import jakarta.json.bind.annotation.JsonbPropertyOrder;

/**
 * The aggregate of a room published (retained) on {@code house/<room>/summary}, e.g.
 * {@code {"room":"kitchen","readings":2,"temperature":{"min":21.0,"max":23.0,"mean":22.0},"humidity":{...}}}.
 * A quantity no reading of the room had is left out.
 *
 * @param readings how many readings were added up
 */
@JsonbPropertyOrder({"room", "readings", "temperature", "humidity"})
public record RoomSummary(String room, long readings, Range temperature, Range humidity) {}
