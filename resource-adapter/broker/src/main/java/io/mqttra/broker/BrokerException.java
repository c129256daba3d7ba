package io.mqttra.broker;

/** The broker could not do what was asked (bind a listener, accept a message). */
public class BrokerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BrokerException(String message) {
        super(message);
    }

    public BrokerException(String message, Throwable cause) {
        super(message, cause);
    }
}
