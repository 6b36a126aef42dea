package io.parley.gateway.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Invalid close frames are answered with a close frame carrying 1002 / 1007, not an empty buffer. */
class StrictFrameDecoderTest {

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new StrictFrameDecoder(WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(65536).closeOnProtocolViolation(true).build()));
    }

    /** A masked client close frame (mask 0, so the payload goes as is). */
    private static ByteBuf closeFrame(byte... payload) {
        ByteBuf frame = Unpooled.buffer();
        frame.writeByte(0x88).writeByte(0x80 | payload.length).writeInt(0).writeBytes(payload);
        return frame;
    }

    private static byte[] code(int code, byte... reason) {
        byte[] body = new byte[2 + reason.length];
        body[0] = (byte) (code >>> 8);
        body[1] = (byte) code;
        System.arraycopy(reason, 0, body, 2, reason.length);
        return body;
    }

    private static int answeredCode(EmbeddedChannel ch, ByteBuf frame) {
        assertThatThrownBy(() -> ch.writeInbound(frame)).isInstanceOf(CorruptedWebSocketFrameException.class);
        CloseWebSocketFrame answer = ch.readOutbound();
        assertThat(answer).as("a close frame, not an empty buffer").isNotNull();
        try {
            assertThat(ch.isOpen()).isFalse();
            return answer.statusCode();
        } finally {
            answer.release();
            ch.finishAndReleaseAll();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
    void invalidCloseCodesAreAnswered1002(int invalid) {
        assertThat(answeredCode(channel(), closeFrame(code(invalid)))).isEqualTo(1002);
    }

    @Test
    void invalidUtf8ReasonIsAnswered1007() {
        assertThat(answeredCode(channel(), closeFrame(code(1000, (byte) 0xCE, (byte) 0xBA, (byte) 0xE1, (byte) 0xBD))))
                .isEqualTo(1007);
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 1001, 1003, 1007, 1011, 1014, 3000, 4999})
    void validCloseFramesPassOn(int valid) {
        EmbeddedChannel ch = channel();
        ch.writeInbound(closeFrame(code(valid, "bye".getBytes())));
        CloseWebSocketFrame close = ch.readInbound();
        assertThat(close.statusCode()).isEqualTo(valid);
        assertThat(close.reasonText()).isEqualTo("bye");
        close.release();
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void closeWithoutBodyPassesOn() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(closeFrame());
        CloseWebSocketFrame close = ch.readInbound();
        assertThat(close.statusCode()).isEqualTo(-1);
        close.release();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
