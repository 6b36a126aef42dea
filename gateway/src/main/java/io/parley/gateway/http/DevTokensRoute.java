package io.parley.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.parley.gateway.auth.DevTokenMinter;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /api/v1/dev/tokens {"sub": "alice", "role": "admin"?}} mints a short-lived token.
 * Only mounted when {@code dev_tokens} is on; never in production.
 */
public final class DevTokensRoute implements HttpRoute {
    public static final String PATH = "/api/v1/dev/tokens";
    private static final int MAX_ID_LENGTH = 128;

    private final DevTokenMinter minter;

    public DevTokensRoute(DevTokenMinter minter) {
        this.minter = minter;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!HttpMethod.POST.equals(request.method())) {
            HttpResponses.methodNotAllowed(ctx, request, "POST", "use POST with {\"sub\": \"<user id>\"}");
            return;
        }
        JsonNode body;
        try {
            body = HttpResponses.JSON.readTree(new ByteBufInputStream(request.content()));
        } catch (IOException e) {
            HttpResponses.error(ctx, request, HttpResponseStatus.BAD_REQUEST, "body must be JSON like {\"sub\": \"alice\"}");
            return;
        }
        JsonNode sub = body == null ? null : body.get("sub");
        if (sub == null || !(sub.isTextual() || sub.isIntegralNumber()) || sub.asText().isBlank()
                || sub.asText().length() > MAX_ID_LENGTH) {
            HttpResponses.error(ctx, request, HttpResponseStatus.BAD_REQUEST,
                    "\"sub\" must be a non-empty user id of at most " + MAX_ID_LENGTH + " characters");
            return;
        }
        JsonNode role = body.get("role");
        if (role != null && !role.isNull() && !role.isTextual()) {
            HttpResponses.error(ctx, request, HttpResponseStatus.BAD_REQUEST, "\"role\" must be a string such as \"admin\"");
            return;
        }
        DevTokenMinter.Minted minted = minter.mint(sub.asText(), role == null || role.isNull() ? null : role.asText());
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("token", minted.token());
        reply.put("token_type", "Bearer");
        reply.put("expires_at", minted.expiresAt().toString());
        HttpResponses.json(ctx, request, HttpResponseStatus.CREATED, reply);
    }
}
