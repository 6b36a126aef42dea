package io.parley.gateway.dialect.actions;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.connection.DialectEndpoint;
import io.parley.gateway.connection.PathTemplate;
import io.parley.protocol.DialectCodec;

/**
 * Dialect {@code actions} (seed 003): {@code GET /api/v1/websocket/ws/{user_id}} with
 * {@code Authorization: Bearer <jwt>} (or the {@code access_token} subprotocol pair);
 * {@code {user_id}} must be the token's principal (403 otherwise).
 */
public final class ActionsEndpoint implements DialectEndpoint {
    public static final PathTemplate PATH = new PathTemplate("/api/v1/websocket/ws/");

    private final DialectCodec codec;

    public ActionsEndpoint(DialectCodec codec) {
        this.codec = codec;
    }

    @Override
    public DialectCodec codec() {
        return codec;
    }

    @Override
    public boolean matches(QueryStringDecoder uri) {
        return uri.path().startsWith(PATH.prefix());
    }

    @Override
    public String invalidUrl(QueryStringDecoder uri) {
        return PATH.parameter(uri.path()) == null ? "expected /api/v1/websocket/ws/{user_id}" : null;
    }

    @Override
    public String identityMismatch(QueryStringDecoder uri, Principal principal) {
        String userId = PATH.parameter(uri.path());
        return principal.userId().equals(userId) ? null : "path user_id '" + userId + "' is not the authenticated user";
    }
}
