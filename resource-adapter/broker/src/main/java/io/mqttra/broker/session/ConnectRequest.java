package io.mqttra.broker.session;

import io.mqttra.broker.ApplicationMessage;

/**
 * What a CONNECT asks of the session layer, once validated.
 *
 * @param clientId              client identifier (assigned by the broker if the client sent none)
 * @param protocolLevel         3, 4 or 5
 * @param cleanStart            3.1.1 CleanSession / 5.0 Clean Start
 * @param expiryIntervalSeconds how long the session outlives the connection; 0xFFFFFFFF: forever
 * @param will                  will message, or null
 * @param willDelaySeconds      MQTT 5 will delay interval
 */
public record ConnectRequest(
        String clientId,
        int protocolLevel,
        boolean cleanStart,
        long expiryIntervalSeconds,
        ApplicationMessage will,
        long willDelaySeconds) {

    public static final long NEVER_EXPIRES = 0xFFFF_FFFFL;
}
