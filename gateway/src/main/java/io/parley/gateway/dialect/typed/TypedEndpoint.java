package io.parley.gateway.dialect.typed;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.parley.gateway.connection.DialectEndpoint;
import io.parley.protocol.DialectCodec;

/**
 * Dialect {@code typed} (seed 004): {@code GET /ws/chats/} with {@code Authorization: Bearer
 * <jwt>}; browsers, which cannot set headers, may send {@code Sec-WebSocket-Protocol:
 * access_token, <jwt>} instead (the server then selects {@code access_token}).
 */
public final class TypedEndpoint implements DialectEndpoint {
    public static final String PATH = "/ws/chats/";

    private final DialectCodec codec;

    public TypedEndpoint(DialectCodec codec) {
        this.codec = codec;
    }

    @Override
    public DialectCodec codec() {
        return codec;
    }

    @Override
    public boolean matches(QueryStringDecoder uri) {
        return uri.path().equals(PATH) || uri.path().equals("/ws/chats");
    }
}
