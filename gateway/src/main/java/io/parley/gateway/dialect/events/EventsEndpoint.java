package io.parley.gateway.dialect.events;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.parley.gateway.auth.Credentials;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.connection.DialectEndpoint;
import io.parley.protocol.DialectCodec;

import java.util.List;

/**
 * Dialect {@code events} (seed 002): {@code GET /ws?sid=<participant>} with
 * {@code Sec-WebSocket-Protocol: access_token, <jwt>}; the server selects {@code access_token};
 * {@code sid} must be the token's principal.
 */
public final class EventsEndpoint implements DialectEndpoint {
    public static final String PATH = "/ws";

    private final DialectCodec codec;

    public EventsEndpoint(DialectCodec codec) {
        this.codec = codec;
    }

    @Override
    public DialectCodec codec() {
        return codec;
    }

    @Override
    public boolean matches(QueryStringDecoder uri) {
        return uri.path().equals(PATH);
    }

    @Override
    public String credential(FullHttpRequest request) {
        String token = Credentials.fromSubprotocol(request);
        return token != null ? token : Credentials.fromBearer(request);
    }

    @Override
    public String identityMismatch(QueryStringDecoder uri, Principal principal) {
        List<String> sid = uri.parameters().get("sid");
        if (sid == null || sid.isEmpty() || sid.get(0).isBlank()) {
            return null; // sid is optional: the token already names the participant
        }
        return sid.get(0).equals(principal.userId())
                ? null
                : "sid '" + sid.get(0) + "' is not the authenticated user";
    }
}
