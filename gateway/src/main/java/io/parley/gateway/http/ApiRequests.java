package io.parley.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.parley.gateway.auth.AuthException;
import io.parley.gateway.auth.Credentials;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.auth.TokenVerifier;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.ErrorCode;

import java.io.IOException;

/** Reading a REST request: its bearer token and its JSON body. */
final class ApiRequests {
    private ApiRequests() {
    }

    /** Who the request's bearer token names, or {@code null} after answering 401. */
    static Principal principal(ChannelHandlerContext ctx, FullHttpRequest request, TokenVerifier tokens) {
        try {
            return tokens.verify(Credentials.fromBearer(request));
        } catch (AuthException e) {
            HttpResponses.error(ctx, request, HttpResponseStatus.UNAUTHORIZED, e.getMessage());
            return null;
        }
    }

    /** The request's body as a JSON object; an empty body is an empty object. */
    static JsonNode body(FullHttpRequest request, String example) {
        if (!request.content().isReadable()) {
            return HttpResponses.JSON.createObjectNode();
        }
        JsonNode body;
        try {
            body = HttpResponses.JSON.readTree(new ByteBufInputStream(request.content().duplicate()));
        } catch (IOException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            throw new ChatException(ErrorCode.BAD_REQUEST, "body must be a JSON object such as " + example);
        }
        return body;
    }
}
