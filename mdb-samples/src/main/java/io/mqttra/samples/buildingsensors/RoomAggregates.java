package io.mqttra.samples.buildingsensors;

import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The running aggregate of every room, shared by the bean instances that receive readings and the REST read-out.
 * Bean-managed concurrency: rooms are locked one by one, so readers and readings of other rooms never wait.
 * Kept in memory: after a restart each room starts again from its next reading.
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class RoomAggregates {

    private final Map<String, Room> rooms = new ConcurrentHashMap<>();

    /** Adds a reading to its room; the room's summary including it. */
    public RoomSummary add(String room, SensorReading reading) {
        return rooms.computeIfAbsent(room, Room::new).add(reading);
    }

    public Optional<RoomSummary> summary(String room) {
        Room r = rooms.get(room);
        return r == null ? Optional.empty() : Optional.of(r.summary());
    }

    /** Every room's summary, by room name. */
    public List<RoomSummary> all() {
        return rooms.values().stream()
                .map(Room::summary)
                .sorted(Comparator.comparing(RoomSummary::room))
                .toList();
    }

    private static final class Room {

        private final String name;
        private final RunningRange temperature = new RunningRange();
        private final RunningRange humidity = new RunningRange();
        private long readings;

        Room(String name) {
            this.name = name;
        }

        synchronized RoomSummary add(SensorReading reading) {
            readings++;
            temperature.add(reading.temperature());
            humidity.add(reading.humidity());
            return summary();
        }

        synchronized RoomSummary summary() {
            return new RoomSummary(name, readings, temperature.range(), humidity.range());
        }
    }
}
