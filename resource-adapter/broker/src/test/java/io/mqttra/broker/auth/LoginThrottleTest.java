package io.mqttra.broker.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Unit test of the per-address delay of refused logins. */
class LoginThrottleTest {

    private final InetSocketAddress a1 = new InetSocketAddress("10.0.0.1", 40001);
    private final InetSocketAddress a1OtherPort = new InetSocketAddress("10.0.0.1", 40002);
    private final InetSocketAddress a2 = new InetSocketAddress("10.0.0.2", 40001);

    @Test
    void delayDoublesPerConsecutiveFailureUpToTheCap() {
        LoginThrottle t = new LoginThrottle(100, 1000);
        assertThat(t.failed(a1).delayMillis()).isEqualTo(100);
        assertThat(t.failed(a1OtherPort).delayMillis())
                .as("counted per host, not per socket")
                .isEqualTo(200);
        assertThat(t.failed(a1).delayMillis()).isEqualTo(400);
        assertThat(t.failed(a1).delayMillis()).isEqualTo(800);
        assertThat(t.failed(a1).delayMillis()).isEqualTo(1000);
        assertThat(t.delayFor(500)).isEqualTo(1000);
        assertThat(t.failed(a2).delayMillis())
                .as("other addresses are not affected")
                .isEqualTo(100);
    }

    @Test
    void successClearsTheCount() {
        LoginThrottle t = new LoginThrottle(100, 1000);
        t.failed(a1);
        t.failed(a1);
        t.succeeded(a1);
        assertThat(t.failed(a1).consecutiveFailures()).isEqualTo(1);
        assertThat(t.trackedAddresses()).isEqualTo(1);
    }

    @Test
    void zeroBaseTurnsDelaysOff() {
        LoginThrottle t = new LoginThrottle(0, 0);
        assertThat(t.failed(a1).delayMillis()).isZero();
        assertThat(t.failed(a1).consecutiveFailures()).isEqualTo(2);
    }
}
