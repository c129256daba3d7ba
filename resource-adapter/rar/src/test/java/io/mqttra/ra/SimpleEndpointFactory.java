package io.mqttra.ra.inflow;

import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import java.lang.reflect.Method;
import java.util.function.Supplier;
import javax.transaction.xa.XAResource;

/**
 * The EJB container's side of a bean without transactions, for tests: a new endpoint (the bean, which is its own
 * proxy as in Payara) per delivery, never refused.
 */
final class SimpleEndpointFactory<T extends MessageEndpoint> implements MessageEndpointFactory {

    private final Class<T> beanClass;
    private final Supplier<T> beans;

    SimpleEndpointFactory(Class<T> beanClass, Supplier<T> beans) {
        this.beanClass = beanClass;
        this.beans = beans;
    }

    @Override
    public MessageEndpoint createEndpoint(XAResource xa) {
        return beans.get();
    }

    @Override
    public MessageEndpoint createEndpoint(XAResource xa, long timeout) {
        return beans.get();
    }

    @Override
    public boolean isDeliveryTransacted(Method method) {
        return false;
    }

    @Override
    public String getActivationName() {
        return beanClass.getSimpleName();
    }

    @Override
    public Class<?> getEndpointClass() {
        return beanClass;
    }
}
