package io.mqttra.console;

/** The console cannot reach the broker: the resource adapter or its admin object is missing. */
public class BrokerUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
