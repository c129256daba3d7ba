package io.mqttra.broker.transport;

import io.mqttra.broker.protocol.ProtocolErrorMark;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Between WebSocket frames and the MQTT byte stream. Inbound, the payload of every binary and continuation
 * frame goes on to the MQTT decoder as it is: the decoder reassembles packets split across frames and
 * separates packets packed into one frame [MQTT-6.0.0-2]. Outbound, each encoded MQTT packet leaves as one
 * binary frame [MQTT-6.0.0-1].
 *
 * <p>It also runs the closing handshake (RFC 6455 section 5.5.1): a client's Close is answered with a Close
 * (echoing its status), then TCP is closed; when the broker closes the connection (DISCONNECT, protocol error,
 * keep alive, take-over) a Close goes out first (1002 after a protocol error, 1000 otherwise) and TCP is closed
 * once the client's Close arrives, or after {@link #CLOSE_TIMEOUT_MILLIS} if it does not.
 */
final class WebSocketMqttBridge extends ChannelDuplexHandler {

    private static final Logger LOG = Logger.getLogger(WebSocketMqttBridge.class.getName());

    /** How long the server waits for the client's Close after its own before it closes TCP anyway. */
    static final long CLOSE_TIMEOUT_MILLIS = 2000;

    private boolean upgraded;
    /** Set once this side's Close frame went out: nothing may follow it. */
    private boolean closeSent;
    /** The close of the channel that waits for the client's Close. */
    private ChannelPromise closeAfterPeer;

    private ScheduledFuture<?> closeTimeout;

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            upgraded = true;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
            if (closeSent) {
                ReferenceCountUtil.release(msg); // the MQTT connection is over; the client did not know yet
                return;
            }
            ctx.fireChannelRead(((WebSocketFrame) msg).content());
        } else if (msg instanceof CloseWebSocketFrame close) {
            onPeerClose(ctx, close);
        } else if (msg instanceof WebSocketFrame) {
            // [MQTT-6.0.0-1] MQTT travels in binary frames only; any other data frame closes the connection.
            ReferenceCountUtil.release(msg);
            LOG.info(() -> "closing WebSocket connection from " + ctx.channel().remoteAddress()
                    + ": non-binary data frame [MQTT-6.0.0-1]");
            sendCloseThenWait(
                    ctx, new CloseWebSocketFrame(WebSocketCloseStatus.INVALID_MESSAGE_TYPE), ctx.newPromise());
        } else if (msg instanceof FullHttpRequest request) {
            // Not the MQTT path (the protocol handler took the upgrade on it): there is nothing else here.
            String uri = request.uri();
            request.release();
            LOG.fine(() -> "HTTP request for " + uri + " from " + ctx.channel().remoteAddress() + " answered 404");
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(
                    request.protocolVersion(),
                    HttpResponseStatus.NOT_FOUND,
                    Unpooled.copiedBuffer("no MQTT endpoint here\n", StandardCharsets.US_ASCII));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            response.headers().set(HttpHeaderNames.CONNECTION, "close");
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException || cause instanceof WebSocketHandshakeException) {
            // The client's fault (frame above the maximum packet size, unmasked frame, bad upgrade): the WebSocket
            // handler already answered with a close frame or an HTTP error; one line, no stack trace.
            LOG.info(() ->
                    "closing WebSocket connection from " + ctx.channel().remoteAddress() + ": " + cause.getMessage());
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (closeSent) {
            // RFC 6455 section 5.5.1: no data frame after a Close
            ReferenceCountUtil.release(msg);
            promise.setFailure(new java.nio.channels.ClosedChannelException());
        } else if (msg instanceof ByteBuf buf) {
            ctx.write(new BinaryWebSocketFrame(buf), promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    /** The broker closes the connection: Close frame first, TCP after the client's answer. */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (!upgraded || !ctx.channel().isActive()) {
            ctx.close(promise);
        } else if (closeSent) {
            // The closing handshake is under way and ends with the channel closed: a close now would cut it short.
            ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
        } else {
            WebSocketCloseStatus status = ProtocolErrorMark.isSet(ctx.channel())
                    ? WebSocketCloseStatus.PROTOCOL_ERROR
                    : WebSocketCloseStatus.NORMAL_CLOSURE;
            sendCloseThenWait(ctx, new CloseWebSocketFrame(status), promise);
        }
    }

    private void sendCloseThenWait(ChannelHandlerContext ctx, CloseWebSocketFrame frame, ChannelPromise promise) {
        closeSent = true;
        closeAfterPeer = promise;
        ctx.writeAndFlush(frame).addListener(f -> {
            if (!f.isSuccess()) {
                closeNow(ctx);
            }
        });
        closeTimeout = ctx.executor().schedule(() -> closeNow(ctx), CLOSE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void onPeerClose(ChannelHandlerContext ctx, CloseWebSocketFrame close) {
        if (closeSent) {
            // the answer to ours: the handshake is complete, the server closes TCP (RFC 6455 section 7.1.1)
            close.release();
            closeNow(ctx);
            return;
        }
        // The client starts: answer with a Close echoing its status code, then close TCP.
        closeSent = true;
        int status = close.statusCode();
        close.release();
        CloseWebSocketFrame answer = status < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(status, null);
        ctx.writeAndFlush(answer).addListener(f -> ctx.close());
    }

    private void closeNow(ChannelHandlerContext ctx) {
        if (closeTimeout != null) {
            closeTimeout.cancel(false);
            closeTimeout = null;
        }
        ChannelPromise p = closeAfterPeer;
        closeAfterPeer = null;
        ctx.close(p == null ? ctx.newPromise() : p);
    }
}
