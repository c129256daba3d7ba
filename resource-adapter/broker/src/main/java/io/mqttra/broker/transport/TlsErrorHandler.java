package io.mqttra.broker.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;

/**
 * Turns TLS failures (a plain-text client on the TLS port, an untrusted or missing client certificate, a
 * broken record) into one log line and a closed connection. Without it they would reach the MQTT handler
 * as "internal errors" with a stack trace, although they are the client's fault.
 */
final class TlsErrorHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = Logger.getLogger(TlsErrorHandler.class.getName());

    private boolean logged;

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent e && !e.isSuccess()) {
            log(ctx, e.cause());
            ctx.close();
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (isTlsFailure(cause)) {
            log(ctx, cause);
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    private void log(ChannelHandlerContext ctx, Throwable cause) {
        if (!logged) {
            logged = true;
            Throwable root = tlsCause(cause);
            LOG.info(() -> "closing connection from " + ctx.channel().remoteAddress() + ": TLS failed: "
                    + (root == null ? cause : root.getClass().getSimpleName() + ": " + root.getMessage()));
        }
    }

    private static boolean isTlsFailure(Throwable t) {
        return tlsCause(t) != null;
    }

    private static Throwable tlsCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException || c instanceof NotSslRecordException) {
                return c;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }
}
