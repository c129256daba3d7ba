package io.mqttra.api;

/** Thrown when the broker refuses or cannot take a request of the application. */
public class MqttException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MqttException(String message) {
        super(message);
    }

    public MqttException(String message, Throwable cause) {
        super(message, cause);
    }
}
