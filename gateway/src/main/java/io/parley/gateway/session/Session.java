package io.parley.gateway.session;

import io.netty.channel.Channel;
import io.parley.gateway.auth.Principal;
import io.parley.protocol.DialectCodec;
import io.parley.protocol.SocketScope;
import io.parley.protocol.command.ChatEvent;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One authenticated WebSocket connection: who it is, which dialect it speaks, which chat its URL
 * bound it to (if any), and how frames are written to it.
 */
public final class Session {
    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.incrementAndGet();
    /** Replaced when the client refreshes its token (same user); read by any thread. */
    private volatile Principal principal;
    private final DialectCodec codec;
    private final Channel channel;
    private volatile SocketScope scope;
    private final FrameWriter writer;
    private volatile boolean visible = true;

    public Session(Principal principal, DialectCodec codec, Channel channel) {
        this(principal, codec, channel, SocketScope.NONE, PlainFrameWriter::new);
    }

    public Session(Principal principal, DialectCodec codec, Channel channel, SocketScope scope,
                   Function<Channel, FrameWriter> writers) {
        this.principal = principal;
        this.codec = codec;
        this.channel = channel;
        this.scope = scope;
        this.writer = writers.apply(channel);
    }

    /** Unique within this process; lets a sender's own connection be skipped when echoing. */
    public long id() {
        return id;
    }

    public Principal principal() {
        return principal;
    }

    /**
     * The client refreshed its token: {@code fresh} (the same user) is who the connection acts
     * as from now on, and in a dialect whose frames repeat the credential, {@code credential} is
     * the one they must carry.
     */
    public void refreshed(Principal fresh, String credential) {
        if (!fresh.userId().equals(principal.userId())) {
            throw new IllegalArgumentException("a refresh keeps the user: " + principal.userId() + " is not " + fresh.userId());
        }
        principal = fresh;
        if (scope.credential() != null) {
            scope = SocketScope.of(scope.chatId(), credential);
        }
    }

    public String userId() {
        return principal.userId();
    }

    public DialectCodec codec() {
        return codec;
    }

    public Channel channel() {
        return channel;
    }

    public String dialect() {
        return codec.dialect();
    }

    public SocketScope scope() {
        return scope;
    }

    public FrameWriter writer() {
        return writer;
    }

    /** Shown as online (the default) or hidden by the client ({@code set_offline}). */
    public boolean visible() {
        return visible;
    }

    /** Only through {@link SessionRegistry#setVisible}, which tells who keeps presence. */
    void visible(boolean visible) {
        this.visible = visible;
    }

    /** A socket bound to one chat gets only that chat's events (and no presence). */
    public boolean wants(ChatEvent event) {
        return scope.chatId() == null || scope.chatId().equals(event.chatId());
    }

    /** Writes a frame encoded for this connection alone. Safe from any thread. */
    public void send(byte[] encoded) {
        writer.write(encoded);
    }

    /** Writes the acknowledgement of a new message, its sequence {@code messageSeq}, for this connection alone. Safe from any thread. */
    public void send(byte[] encoded, long messageSeq) {
        writer.write(encoded, messageSeq);
    }

    /** Writes a pushed frame shared with other recipients; takes a reference of its own. Safe from any thread. */
    public void sendShared(SharedFrame frame, ChatEvent event) {
        writer.writeShared(frame, event);
    }

    @Override
    public String toString() {
        return "Session[" + id + " " + principal.userId() + "/" + codec.dialect() + " " + channel.remoteAddress() + "]";
    }
}
