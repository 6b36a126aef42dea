package io.parley.gateway.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Netty's RFC 6455 frame decoder with a stricter close-frame check. Netty marks the closing
 * handshake as received <i>before</i> validating the close frame, so an invalid close frame is
 * answered with an empty buffer instead of a close frame; and its status-code check reads the
 * code as a signed short (65535 passes) and accepts every code from 3000 up. Here an invalid
 * close code (see {@link CloseCodes#isValidReceived}) is answered 1002 and an invalid UTF-8 reason
 * 1007, as RFC 6455 sections 7.4 and 8.1 ask (Autobahn cases 7.5.1, 7.9.x, 7.13.x).
 */
public final class StrictFrameDecoder extends WebSocket13FrameDecoder {

    public StrictFrameDecoder(WebSocketDecoderConfig config) {
        super(config);
    }

    @Override
    protected void checkCloseFrameBody(ChannelHandlerContext ctx, ByteBuf body) {
        if (body == null || !body.isReadable()) {
            return; // a close without a status code is valid (1005 on our side)
        }
        if (body.readableBytes() < 2) {
            violation(ctx, CloseCodes.PROTOCOL_ERROR, "close frame with a 1-byte body");
        }
        int code = body.getUnsignedShort(body.readerIndex());
        if (!CloseCodes.isValidReceived(code)) {
            violation(ctx, CloseCodes.PROTOCOL_ERROR, "invalid close code " + code);
        }
        if (body.readableBytes() > 2 && !isUtf8(body, body.readerIndex() + 2, body.readableBytes() - 2)) {
            violation(ctx, CloseCodes.INVALID_PAYLOAD, "close reason is not valid UTF-8");
        }
    }

    /** Answers with the close code and ends the connection; the exception tells the handlers behind. */
    private static void violation(ChannelHandlerContext ctx, WebSocketCloseStatus status, String reason) {
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(new CloseWebSocketFrame(status.code(), reason)).addListener(ChannelFutureListener.CLOSE);
        }
        throw new CorruptedWebSocketFrameException(status, reason);
    }

    private static boolean isUtf8(ByteBuf buf, int index, int length) {
        ByteBuffer bytes = buf.nioBufferCount() == 1 ? buf.nioBuffer(index, length)
                : ByteBuffer.wrap(io.netty.buffer.ByteBufUtil.getBytes(buf, index, length));
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
