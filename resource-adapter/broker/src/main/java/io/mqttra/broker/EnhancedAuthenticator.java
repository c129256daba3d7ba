package io.mqttra.broker;

import java.util.Objects;

/**
 * One MQTT 5 enhanced authentication method (section 4.12), e.g. a challenge/response such as SCRAM: the
 * client names the method in CONNECT, then client and broker exchange AUTH packets until the method decides.
 * Register implementations with {@link BrokerConfig.Builder#enhancedAuthenticator}; a CONNECT naming a method
 * that is not registered is refused with 0x8C Bad authentication method.
 *
 * <p>Called on a network event loop: {@link Exchange#evaluate} must return quickly and never block.
 */
public interface EnhancedAuthenticator {

    /** The Authentication Method name the client sends, e.g. {@code "SCRAM-SHA-256"}. */
    String method();

    /** Starts the exchange of one connection (or one re-authentication) of a client. */
    Exchange start(String clientId);

    /** The state of one exchange: fed with each Authentication Data the client sends, in order. */
    interface Exchange {

        /**
         * @param clientData the Authentication Data of the CONNECT or AUTH packet (empty when absent)
         * @return what to answer: continue with a challenge, succeed, or fail
         */
        Step evaluate(byte[] clientData);
    }

    /** The outcome of one step; {@code data} goes back to the client as Authentication Data (may be null). */
    record Step(Outcome outcome, byte[] data) {

        public Step {
            Objects.requireNonNull(outcome, "outcome");
        }

        public static Step success(byte[] data) {
            return new Step(Outcome.SUCCESS, data);
        }

        public static Step challenge(byte[] data) {
            return new Step(Outcome.CONTINUE, data);
        }

        public static Step failure() {
            return new Step(Outcome.FAILURE, null);
        }
    }

    enum Outcome {
        /** Authenticated: CONNACK 0x00 (or AUTH 0x00 after a re-authentication). */
        SUCCESS,
        /** Send AUTH 0x18 Continue authentication with the step's data and wait for the client's answer. */
        CONTINUE,
        /** Refused: CONNACK 0x87 Not authorized (or DISCONNECT 0x87 after a re-authentication). */
        FAILURE
    }
}
