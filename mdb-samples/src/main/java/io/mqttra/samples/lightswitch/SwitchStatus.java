package io.mqttra.samples.lightswitch;

/** The payload of {@code light-switch/status}: {@code {"status":"ON"}} or {@code {"status":"OFF"}}. */
public class SwitchStatus {

    /** Public for JSON-B. */
    public SwitchState status;

    public SwitchStatus() {}

    public SwitchStatus(SwitchState status) {
        this.status = status;
    }
}
