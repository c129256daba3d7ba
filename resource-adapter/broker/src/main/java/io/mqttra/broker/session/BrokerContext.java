package io.mqttra.broker.session;

import io.mqttra.broker.BrokerMetrics;
import io.mqttra.broker.config.BrokerConfig;
import io.mqttra.broker.routing.RetainedMessages;
import io.mqttra.broker.routing.Router;
import io.mqttra.broker.routing.SubscriptionTree;
import io.mqttra.broker.store.Stores;
import io.netty.channel.EventLoopGroup;

/** The parts of one broker that sessions and connections share. */
public record BrokerContext(
        BrokerConfig config,
        BrokerMetrics metrics,
        Stores stores,
        SubscriptionTree tree,
        RetainedMessages retained,
        Router router,
        SessionRegistry registry,
        EventLoopGroup eventLoops,
        io.mqttra.broker.auth.BrokerSecurity security) {}
