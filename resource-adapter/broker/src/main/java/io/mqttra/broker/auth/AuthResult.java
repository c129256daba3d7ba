package io.mqttra.broker.auth;

import java.util.Objects;

/** The answer of an {@link Authenticator}: the principal the connection acts for, or a refusal. */
public sealed interface AuthResult {

    static AuthResult granted(MqttPrincipal principal) {
        return new Granted(principal);
    }

    /**
     * @param detail for the server log only (never sent to the client); must not contain the password
     */
    static AuthResult refused(Refusal reason, String detail) {
        return new Refused(reason, detail);
    }

    record Granted(MqttPrincipal principal) implements AuthResult {
        public Granted {
            Objects.requireNonNull(principal, "principal");
        }
    }

    record Refused(Refusal reason, String detail) implements AuthResult {
        public Refused {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
