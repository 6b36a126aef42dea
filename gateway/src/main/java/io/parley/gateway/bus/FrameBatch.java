package io.parley.gateway.bus;

import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The payload of one publication on a node channel: one or more bus frames, each preceded by its
 * length (4 bytes, big-endian). {@link BusCodec#encodePrefixed} writes each frame with its prefix
 * and {@link RoutedPublisher}'s script concatenates the frames bound for one node, so several
 * frames cost one {@code PUBLISH}.
 */
final class FrameBatch {
    private static final int PREFIX = 4;

    private FrameBatch() {
    }

    /**
     * Collects a frame as an encoder writes it, behind room for its length, so the encoder's output
     * is the prefixed frame itself rather than a copy of it made after encoding. An
     * encoder that flushes once (a Jackson generator does, up to its 8000-byte buffer) fills an
     * array of exactly the right size.
     */
    static final class PrefixedOutput extends OutputStream {
        private byte[] bytes = new byte[PREFIX];
        private int size = PREFIX;

        @Override
        public void write(int b) {
            ensureRoom(1);
            bytes[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int offset, int length) {
            Objects.checkFromIndexSize(offset, length, b.length);
            ensureRoom(length);
            System.arraycopy(b, offset, bytes, size, length);
            size += length;
        }

        private void ensureRoom(int more) {
            if (bytes.length - size < more) {
                // doubling keeps large frames (several flushes) linear; past 1 GB 2 * size is negative
                bytes = Arrays.copyOf(bytes, Math.max(Math.addExact(size, more), 2 * size));
            }
        }

        /** The length prefix and the frame written so far. */
        byte[] toPrefixed() {
            byte[] out = size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
            int n = size - PREFIX;
            out[0] = (byte) (n >>> 24);
            out[1] = (byte) (n >>> 16);
            out[2] = (byte) (n >>> 8);
            out[3] = (byte) n;
            return out;
        }
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
