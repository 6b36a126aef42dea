package io.parley.gateway.auth;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

/** Where credentials travel in the handshake request. */
public final class Credentials {
    /** The subprotocol name that marks the next entry of the list as a JWT (seed 002). */
    public static final String ACCESS_TOKEN_SUBPROTOCOL = "access_token";

    private Credentials() {
    }

    /**
     * The token after {@code access_token} in {@code Sec-WebSocket-Protocol: access_token, <jwt>},
     * the only header a browser's {@code new WebSocket(url, protocols)} can set.
     */
    public static String fromSubprotocol(FullHttpRequest request) {
        String header = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        if (header == null) {
            return null;
        }
        String[] entries = header.split(",");
        for (int i = 0; i < entries.length - 1; i++) {
            if (entries[i].trim().equals(ACCESS_TOKEN_SUBPROTOCOL)) {
                return entries[i + 1].trim();
            }
        }
        return null;
    }

    /** The token of {@code Authorization: Bearer <jwt>}. */
    public static String fromBearer(HttpRequest request) {
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return header.substring(7).trim();
    }

    /** The Bearer token, else the {@code access_token} subprotocol pair (what a browser can send). */
    public static String fromBearerOrSubprotocol(FullHttpRequest request) {
        String token = fromBearer(request);
        return token != null ? token : fromSubprotocol(request);
    }
}
