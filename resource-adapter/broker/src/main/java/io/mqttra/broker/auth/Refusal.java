package io.mqttra.broker.auth;

/**
 * Why an {@link Authenticator} refused a CONNECT, with the CONNACK code each protocol version prescribes for it.
 */
public enum Refusal {

    /** Unknown user, wrong password, or no user name where one is required. 3.1.1: 0x04, 5.0: 0x86. */
    BAD_CREDENTIALS(0x04, 0x86),
    /** The identity is known but may not connect (e.g. lacks the role, or its client id is not allowed). 3.1.1: 0x05, 5.0: 0x87. */
    NOT_AUTHORIZED(0x05, 0x87),
    /** The identity store could not answer (down, misconfigured, timed out). 3.1.1: 0x03, 5.0: 0x88. */
    UNAVAILABLE(0x03, 0x88);

    private final int v3Code;
    private final int v5Code;

    Refusal(int v3Code, int v5Code) {
        this.v3Code = v3Code;
        this.v5Code = v5Code;
    }

    /** MQTT 3.1.1 CONNACK return code (section 3.2.2.3). */
    public int v3ReturnCode() {
        return v3Code;
    }

    /** MQTT 5.0 CONNACK reason code (section 3.2.2.2). */
    public int v5ReasonCode() {
        return v5Code;
    }

    /** The CONNACK code for a protocol level (3 and 4 use the 3.1.1 codes). */
    public int connAckCode(int protocolLevel) {
        return protocolLevel == 5 ? v5Code : v3Code;
    }

    /** Whether this refusal counts as a failed login (wrong secret), which the throttle slows down. */
    public boolean isLoginFailure() {
        return this == BAD_CREDENTIALS;
    }
}
