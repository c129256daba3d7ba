package io.mqttra.api.admin;

/**
 * What happened to messages given to message-driven beans since the broker started.
 *
 * @param deliveries   messages handed to a bean method, every attempt counted (redeliveries included)
 * @param redeliveries attempts with a message the bean had been given before (DUP): after a rollback or a restart
 * @param deadLetters  messages a bean kept refusing, moved to its dead-letter topic (or dropped when it has none)
 */
public record BeanDeliveries(long deliveries, long redeliveries, long deadLetters) {

    public static final BeanDeliveries NONE = new BeanDeliveries(0, 0, 0);
}
