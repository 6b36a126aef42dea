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

    /** The frame with its length in front, ready to be concatenated with others. */
    static byte[] prefixed(byte[] frame) {
        byte[] out = new byte[PREFIX + frame.length];
        System.arraycopy(frame, 0, out, PREFIX, frame.length);
        writeLength(out);
        return out;
    }

    /** Fills in the length of the frame that follows the first {@value #PREFIX} bytes of {@code prefixed}. */
    private static void writeLength(byte[] prefixed) {
        int n = prefixed.length - PREFIX;
        prefixed[0] = (byte) (n >>> 24);
        prefixed[1] = (byte) (n >>> 16);
        prefixed[2] = (byte) (n >>> 8);
        prefixed[3] = (byte) n;
    }

    /**
     * Collects a frame as an encoder writes it, behind room for its length, so the encoder's output
     * is the prefixed frame itself rather than something {@link #prefixed} copies once more. An
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
            writeLength(out);
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
