package io.mqttra.ra;

import jakarta.resource.spi.UnavailableException;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import java.lang.reflect.Method;
import java.util.function.Supplier;
import javax.transaction.xa.XAResource;

/**
 * The EJB container's side of a bean without transactions, for tests: an endpoint (the bean, which is its own proxy as
 * in Payara) from the supplier per delivery, never refused. A test that needs refusals or transactions overrides
 * {@link #createEndpoint(XAResource)} or {@link #isDeliveryTransacted(Method)}.
 */
public class SimpleEndpointFactory<T extends MessageEndpoint> implements MessageEndpointFactory {

    private final Class<T> beanClass;
    private final Supplier<T> beans;
    private final String activationName;

    public SimpleEndpointFactory(Class<T> beanClass, Supplier<T> beans) {
        this(beanClass, beans, beanClass.getSimpleName());
    }

    /** The container's activation name is unique per bean in the server (JCA 1.7), unlike the bean class. */
    public SimpleEndpointFactory(Class<T> beanClass, Supplier<T> beans, String activationName) {
        this.beanClass = beanClass;
        this.beans = beans;
        this.activationName = activationName;
    }

    @Override
    public MessageEndpoint createEndpoint(XAResource xa) throws UnavailableException {
        return beans.get();
    }

    @Override
    public MessageEndpoint createEndpoint(XAResource xa, long timeout) throws UnavailableException {
        return createEndpoint(xa);
    }

    @Override
    public boolean isDeliveryTransacted(Method method) {
        return false;
    }

    @Override
    public String getActivationName() {
        return activationName;
    }

    @Override
    public Class<?> getEndpointClass() {
        return beanClass;
    }
}
