package io.mqttra.samples.lightswitch;

/** The two states of the light, spelled as they appear in the JSON payloads. */
public enum SwitchState {
    ON,
    OFF
}
