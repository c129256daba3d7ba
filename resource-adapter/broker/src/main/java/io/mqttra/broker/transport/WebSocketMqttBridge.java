package io.mqttra.broker.transport;

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
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;

/**
 * Between WebSocket frames and the MQTT byte stream. Inbound, the payload of every binary and continuation
 * frame goes on to the MQTT decoder as it is: the decoder reassembles packets split across frames and
 * separates packets packed into one frame [MQTT-6.0.0-2]. Outbound, each encoded MQTT packet leaves as one
 * binary frame [MQTT-6.0.0-1].
 */
final class WebSocketMqttBridge extends ChannelDuplexHandler {

    private static final Logger LOG = Logger.getLogger(WebSocketMqttBridge.class.getName());

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
            ctx.fireChannelRead(((WebSocketFrame) msg).content());
        } else if (msg instanceof WebSocketFrame) {
            // [MQTT-6.0.0-1] MQTT travels in binary frames only; any other data frame closes the connection.
            ReferenceCountUtil.release(msg);
            LOG.info(() -> "closing WebSocket connection from " + ctx.channel().remoteAddress()
                    + ": non-binary data frame [MQTT-6.0.0-1]");
            ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.INVALID_MESSAGE_TYPE))
                    .addListener(ChannelFutureListener.CLOSE);
        } else if (msg instanceof FullHttpRequest request) {
            // Not the MQTT path (the protocol handler took the upgrade on it): there is nothing else here.
            String uri = request.uri();
            request.release();
            LOG.fine(() -> "HTTP request for " + uri + " from " + ctx.channel().remoteAddress() + " answered 404");
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(),
                    HttpResponseStatus.NOT_FOUND, Unpooled.copiedBuffer("no MQTT endpoint here\n", StandardCharsets.US_ASCII));
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
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
            LOG.info(() -> "closing WebSocket connection from " + ctx.channel().remoteAddress() + ": " + cause.getMessage());
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            ctx.write(new BinaryWebSocketFrame(buf), promise);
        } else {
            ctx.write(msg, promise);
        }
    }
}
