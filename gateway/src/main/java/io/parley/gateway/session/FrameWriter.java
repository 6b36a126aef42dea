package io.parley.gateway.session;

import io.parley.protocol.command.ChatEvent;

/**
 * How frames reach one connection. Most dialects write bytes as encoded ({@link PlainFrameWriter});
 * a dialect that numbers every frame per socket splices the number in here, at write time on the
 * channel's event loop, so numbers follow the wire order. Safe from any thread.
 */
public interface FrameWriter {

    /** Writes a frame encoded for this connection alone (a reply or an error). */
    void write(byte[] encoded);

    /**
     * Writes a reply that carries a new message of the chat ({@code messageSeq}, its sequence
     * there): the sender's acknowledgement. A writer that has already shown this message on the
     * connection (a history it wrote first) may skip it; by default it is written like any reply.
     */
    default void write(byte[] encoded, long messageSeq) {
        write(encoded);
    }

    /**
     * Writes a pushed frame whose bytes are shared with other recipients; takes a reference of
     * its own of what it writes.
     */
    void writeShared(SharedFrame frame, ChatEvent event);
}
