package io.mqttra.samples.lightswitch;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbException;
import java.util.Optional;

/** The payload of {@code light-switch/set}: {@code {"set":"ON"}} or {@code {"set":"OFF"}}. */
public class SetCommand {

    /** Public for JSON-B; "ON" or "OFF". */
    public String set;

    /**
     * The state a payload asks for, or empty when it is not a valid command (not JSON, no "set", another value).
     */
    static Optional<SwitchState> parse(Jsonb json, String payload) {
        SetCommand command;
        try {
            command = json.fromJson(payload, SetCommand.class);
        } catch (JsonbException e) {
            return Optional.empty();
        }
        if (command == null || command.set == null) {
            return Optional.empty();
        }
        for (SwitchState state : SwitchState.values()) {
            if (state.name().equals(command.set)) {
                return Optional.of(state);
            }
        }
        return Optional.empty();
    }
}
