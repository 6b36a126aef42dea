package io.parley.gateway.handshake;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.parley.gateway.auth.Principal;
import io.parley.protocol.DialectCodec;

/**
 * How one dialect is reached: which paths are its own, where its credential travels, which
 * identity the URL claims, what subprotocol the server selects, and its codec.
 */
public interface DialectEndpoint {

    DialectCodec codec();

    default String dialect() {
        return codec().dialect();
    }

    /** True if this request path belongs to the dialect. */
    boolean matches(QueryStringDecoder uri);

    /** The raw credential from the request, or {@code null} when it carries none. */
    String credential(FullHttpRequest request);

    /**
     * Checks identities the URL claims (e.g. {@code ?sid=}) against the principal.
     *
     * @return null when fine, else a message for the 403 response
     */
    String identityMismatch(QueryStringDecoder uri, Principal principal);

    /** The subprotocol the server selects, or {@code null} for none. */
    String selectedSubprotocol();
}
