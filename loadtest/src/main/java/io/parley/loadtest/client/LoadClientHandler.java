package io.parley.loadtest.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The whole inbound side of a load client's WebSocket in one handler: the opening handshake
 * (RFC 6455 section 4.1), then the server's frames read in place. A text frame reaches the
 * {@link LoadClient.Listener} as a slice of the bytes read, without a frame object, a copy or a
 * pass through further handlers; everything read in one go gets one arrival time. Pings are
 * answered, a close is echoed, fragments are joined. Outbound frames go through Netty's
 * {@code WebSocket08FrameEncoder}, which masks them.
 *
 * <p>A client that did less per frame than this one would measure the same server higher; one
 * that does more (Netty's client pipeline: a decoder, an aggregator, a UTF-8 validator and a
 * frame object per frame) ran out of CPU before the ideal broadcast server did.
 */
final class LoadClientHandler extends ByteToMessageDecoder {
    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int MAX_RESPONSE_HEAD_BYTES = 16 * 1024;
    private static final int OP_CONTINUATION = 0;
    private static final int OP_TEXT = 1;
    private static final int OP_BINARY = 2;
    private static final int OP_CLOSE = 8;
    private static final int OP_PING = 9;
    private static final int OP_PONG = 10;

    private final URI uri;
    private final String bearer;
    private final int maxFrameBytes;
    private final long handshakeTimeoutMillis;
    private final LoadClient.Listener listener;
    private final CompletableFuture<WsConnection> opened;
    private final String key;
    private WsConnection connection;
    private ScheduledFuture<?> handshakeTimeout;
    private boolean upgraded;
    /** The parts of a fragmented message so far; null when none is open. */
    private ByteBuf fragments;
    private boolean fragmentsAreText;

    LoadClientHandler(URI uri, String bearer, int maxFrameBytes, long handshakeTimeoutMillis,
                    LoadClient.Listener listener, CompletableFuture<WsConnection> opened) {
        this.uri = uri;
        this.bearer = bearer;
        this.maxFrameBytes = maxFrameBytes;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.listener = listener;
        this.opened = opened;
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        this.key = Base64.getEncoder().encodeToString(nonce);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        connection = new WsConnection(ctx.channel());
        String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        StringBuilder request = new StringBuilder(256).append("GET ").append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(key).append("\r\nSec-WebSocket-Version: 13\r\n");
        if (bearer != null) {
            request.append("Authorization: Bearer ").append(bearer).append("\r\n");
        }
        ctx.writeAndFlush(ByteBufUtil.writeAscii(ctx.alloc(), request.append("\r\n")));
        handshakeTimeout = ctx.executor().schedule(() -> {
            if (!upgraded) {
                fail(ctx, new IllegalStateException("handshake timed out"));
            }
        }, handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!upgraded && !readResponseHead(ctx, in)) {
            return;
        }
        long nanos = System.nanoTime();
        while (ctx.channel().isActive() && readFrame(ctx, in, nanos)) {
            // one frame at a time, as long as whole frames are there
        }
    }

    /** False while the response head is incomplete; fails the connection on anything but 101. */
    private boolean readResponseHead(ChannelHandlerContext ctx, ByteBuf in) {
        int headEnd = -1;
        for (int cr = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\r'); cr >= 0 && cr + 3 < in.writerIndex();
             cr = in.indexOf(cr + 1, in.writerIndex(), (byte) '\r')) {
            if (in.getByte(cr + 1) == '\n' && in.getByte(cr + 2) == '\r' && in.getByte(cr + 3) == '\n') {
                headEnd = cr;
                break;
            }
        }
        if (headEnd < 0) {
            if (in.readableBytes() > MAX_RESPONSE_HEAD_BYTES) {
                fail(ctx, new IllegalStateException("no end of the handshake response in "
                        + in.readableBytes() + " bytes"));
            }
            return false;
        }
        String head = in.toString(in.readerIndex(), headEnd - in.readerIndex(), StandardCharsets.ISO_8859_1);
        in.readerIndex(headEnd + 4); // past the blank line
        String[] lines = head.split("\r\n");
        String status = lines[0];
        if (!status.startsWith("HTTP/1.1 101")) {
            fail(ctx, new IllegalStateException("handshake refused: " + status)); // e.g. "HTTP/1.1 401 Unauthorized"
            return false;
        }
        String accept = null;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("sec-websocket-accept")) {
                accept = lines[i].substring(colon + 1).trim();
            }
        }
        if (!expectedAccept().equals(accept)) {
            fail(ctx, new IllegalStateException("handshake answered with Sec-WebSocket-Accept " + accept));
            return false;
        }
        upgraded = true;
        handshakeTimeout.cancel(false);
        opened.complete(connection);
        return true;
    }

    private String expectedAccept() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-1", e);
        }
    }

    /** Reads one whole frame if it is there (false if not, the bytes stay for the next read). */
    private boolean readFrame(ChannelHandlerContext ctx, ByteBuf in, long nanos) {
        int start = in.readerIndex();
        if (in.readableBytes() < 2) {
            return false;
        }
        int first = in.getUnsignedByte(start);
        int second = in.getUnsignedByte(start + 1);
        boolean fin = (first & 0x80) != 0;
        int opcode = first & 0x0f;
        if ((second & 0x80) != 0 || (first & 0x70) != 0) {
            protocolError(ctx, "a masked frame or reserved bits from the server");
            return false;
        }
        long length = second & 0x7f;
        int header = 2;
        if (length == 126) {
            if (in.readableBytes() < 4) {
                return false;
            }
            length = in.getUnsignedShort(start + 2);
            header = 4;
        } else if (length == 127) {
            if (in.readableBytes() < 10) {
                return false;
            }
            length = in.getLong(start + 2);
            header = 10;
        }
        if (length < 0 || length > maxFrameBytes) {
            protocolError(ctx, "a frame of " + length + " bytes");
            return false;
        }
        if (in.readableBytes() < header + length) {
            return false;
        }
        ByteBuf payload = in.slice(start + header, (int) length);
        in.readerIndex(start + header + (int) length);
        switch (opcode) {
            case OP_TEXT, OP_BINARY -> {
                if (fragments != null) {
                    protocolError(ctx, "a new message inside a fragmented one");
                } else if (!fin) {
                    fragments = ctx.alloc().heapBuffer().writeBytes(payload);
                    fragmentsAreText = opcode == OP_TEXT;
                } else if (opcode == OP_TEXT) {
                    listener.onText(connection, payload, nanos);
                }
            }
            case OP_CONTINUATION -> {
                if (fragments == null) {
                    protocolError(ctx, "a continuation without a message");
                } else if (fragments.readableBytes() + length > maxFrameBytes) {
                    protocolError(ctx, "a fragmented message over " + maxFrameBytes + " bytes");
                } else {
                    fragments.writeBytes(payload);
                    if (fin) {
                        ByteBuf whole = fragments;
                        fragments = null;
                        try {
                            if (fragmentsAreText) {
                                listener.onText(connection, whole, nanos);
                            }
                        } finally {
                            whole.release();
                        }
                    }
                }
            }
            case OP_PING -> ctx.writeAndFlush(new PongWebSocketFrame(payload.copy()));
            case OP_PONG -> { } // answers to pings nobody here sends
            case OP_CLOSE -> {
                ByteBuf echo = payload.readableBytes() >= 2 ? payload.copy(payload.readerIndex(), 2) : ctx.alloc().buffer(0);
                ctx.writeAndFlush(new CloseWebSocketFrame(true, 0, echo)).addListener(ChannelFutureListener.CLOSE);
            }
            default -> protocolError(ctx, "opcode " + opcode);
        }
        return true;
    }

    private void protocolError(ChannelHandlerContext ctx, String what) {
        ctx.writeAndFlush(new CloseWebSocketFrame(1002, what)).addListener(ChannelFutureListener.CLOSE);
    }

    private void fail(ChannelHandlerContext ctx, Throwable cause) {
        opened.completeExceptionally(cause);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
        }
        if (fragments != null) {
            fragments.release();
            fragments = null;
        }
        opened.completeExceptionally(new IllegalStateException("closed before the upgrade completed"));
        if (connection != null) {
            listener.onClosed(connection);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, cause);
    }
}
