package io.mqttra.broker.protocol;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Closes a connection that has not completed its CONNECT within the timeout, even if it trickles bytes
 * (MQTT 3.1.1 section 3.1.4: "If the Server does not receive a CONNECT Packet within a reasonable amount of
 * time after the Network Connection is established, the Server SHOULD close the connection").
 * The protocol handler removes it once CONNECT arrives. The timer runs on the channel's event loop.
 */
public final class ConnectTimeoutHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = Logger.getLogger(ConnectTimeoutHandler.class.getName());

    private final long timeoutSeconds;
    private ScheduledFuture<?> timer;

    public ConnectTimeoutHandler(long timeoutSeconds) {
        this.timeoutSeconds = timeoutSeconds;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            schedule(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        schedule(ctx);
        super.channelActive(ctx);
    }

    private void schedule(ChannelHandlerContext ctx) {
        if (timer == null) {
            timer = ctx.executor()
                    .schedule(
                            () -> {
                                LOG.info(() -> "closing connection from "
                                        + ctx.channel().remoteAddress() + ": no CONNECT within " + timeoutSeconds
                                        + " s");
                                ctx.close();
                            },
                            timeoutSeconds,
                            TimeUnit.SECONDS);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
