package io.parley.gateway.bus;

import java.util.function.Consumer;

/**
 * The payload of one publication on a node channel: one or more bus frames, each preceded by its
 * length (4 bytes, big-endian). {@link RoutedPublisher} prefixes each frame and its script
 * concatenates the frames bound for one node, so several frames cost one {@code PUBLISH}.
 */
final class FrameBatch {
    private static final int PREFIX = 4;

    private FrameBatch() {
    }

    /** The frame with its length in front, ready to be concatenated with others. */
    static byte[] prefixed(byte[] frame) {
        byte[] out = new byte[PREFIX + frame.length];
        int n = frame.length;
        out[0] = (byte) (n >>> 24);
        out[1] = (byte) (n >>> 16);
        out[2] = (byte) (n >>> 8);
        out[3] = (byte) n;
        System.arraycopy(frame, 0, out, PREFIX, n);
        return out;
    }

    /**
     * Hands each frame of {@code batch} to {@code frame}, in order.
     *
     * @throws IllegalArgumentException if a length runs past the end (a truncated or foreign payload)
     */
    static void forEach(byte[] batch, Consumer<Slice> frame) {
        int at = 0;
        while (at < batch.length) {
            if (batch.length - at < PREFIX) {
                throw new IllegalArgumentException("truncated frame length at byte " + at + " of " + batch.length);
            }
            int length = (batch[at] & 0xff) << 24 | (batch[at + 1] & 0xff) << 16 | (batch[at + 2] & 0xff) << 8
                    | batch[at + 3] & 0xff;
            at += PREFIX;
            if (length < 0 || length > batch.length - at) {
                throw new IllegalArgumentException("frame of " + length + " bytes at byte " + at + " overruns "
                        + batch.length);
            }
            frame.accept(new Slice(batch, at, length));
            at += length;
        }
    }

    /** A frame inside a batch, without copying it out. */
    record Slice(byte[] bytes, int offset, int length) {}
}
