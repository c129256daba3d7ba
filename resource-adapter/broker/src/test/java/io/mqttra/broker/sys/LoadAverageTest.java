package io.mqttra.broker.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LoadAverageTest {

    @Test
    void steadyRateConvergesToThatRatePerMinute() {
        LoadAverage oneMinute = new LoadAverage(1);
        long count = 0;
        for (int tick = 0; tick <= 60; tick++) { // ten minutes of 10 s ticks, 5 messages per second
            oneMinute.update(count, 10);
            count += 50;
        }
        assertThat(oneMinute.perMinute()).isCloseTo(300.0, within(1.0));
    }

    @Test
    void longerWindowReactsSlower() {
        LoadAverage one = new LoadAverage(1);
        LoadAverage fifteen = new LoadAverage(15);
        one.update(0, 10);
        fifteen.update(0, 10);
        one.update(600, 60);
        fifteen.update(600, 60);
        assertThat(one.perMinute()).isGreaterThan(fifteen.perMinute()).isLessThan(600.0);
        assertThat(fifteen.perMinute()).isPositive();
    }
}
