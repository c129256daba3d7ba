package io.mqttra.ra.inflow;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.ejb.EJBException;
import java.lang.reflect.InvocationTargetException;
import org.junit.jupiter.api.Test;

class FailureCauseTest {

    @Test
    void findsTheBeansExceptionInsideTheContainersWrappers() {
        IllegalStateException real = new IllegalStateException("light bulb broken");
        Throwable wrapped = new InvocationTargetException(new EJBException(real));
        assertThat(FailureCause.of(wrapped)).isSameAs(real);
        assertThat(FailureCause.describe(wrapped)).isEqualTo("java.lang.IllegalStateException: light bulb broken");
    }

    @Test
    void pointsToTheServerLogWhenOnlyTheContainersMessageIsKnown() {
        Throwable wrapped = new InvocationTargetException(
                new EJBException("Transaction Attribute not found for method public void Bean.on(java.lang.String)"));
        assertThat(FailureCause.describe(wrapped))
                .contains("Transaction Attribute not found")
                .contains("logged by the container");
    }
}
