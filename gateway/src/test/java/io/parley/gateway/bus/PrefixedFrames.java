package io.parley.gateway.bus;

import java.nio.ByteBuffer;

/** The reference for {@link FrameBatch}'s wire format, written independently of it: 4 bytes of length (big-endian), then the frame. */
final class PrefixedFrames {
    private PrefixedFrames() {
    }

    static byte[] of(byte[] frame) {
        return ByteBuffer.allocate(4 + frame.length).putInt(frame.length).put(frame).array();
    }
}
