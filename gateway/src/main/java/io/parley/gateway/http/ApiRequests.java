package io.parley.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.parley.gateway.auth.AuthException;
import io.parley.gateway.auth.Credentials;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.auth.TokenVerifier;
import io.parley.gateway.core.Failures;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Reply;
import io.parley.protocol.rest.RestShapes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.parley.protocol.command.ErrorCode;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** A REST request's parts (bearer token, JSON body) and its answer (status and JSON shape, or the error). */
public final class ApiRequests {
    private static final Logger log = LoggerFactory.getLogger(ApiRequests.class);

    private ApiRequests() {
    }

    /** Who the request's bearer token names, or {@code null} after answering 401. */
    public static Principal principal(ChannelHandlerContext ctx, HttpRequest request, TokenVerifier tokens) {
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

    /**
     * Writes the answer once {@code reply} completes, on the connection's own executor: {@code body}
     * with {@code success}, or the error with its status ({@code body} null: no content).
     */
    static void answer(ChannelHandlerContext ctx, FullHttpRequest request, CompletableFuture<Reply> reply,
                       HttpResponseStatus success, Function<Reply, ObjectNode> body) {
        request.retain();
        reply.whenComplete((answer, failure) -> ctx.executor().execute(() -> {
            try {
                if (failure == null && body == null) {
                    HttpResponses.send(ctx, request, success, "application/json", new byte[0]);
                } else if (failure == null) {
                    HttpResponses.json(ctx, request, success, body.apply(answer));
                } else {
                    if (Failures.isUnexpected(failure)) {
                        log.error("REST {} {} failed", request.method(), request.uri(), Failures.unwrap(failure));
                    }
                    ChatException error = Failures.toChatException(failure);
                    HttpResponses.error(ctx, request, HttpResponseStatus.valueOf(error.code().status()), error.getMessage());
                }
            } finally {
                request.release();
            }
        }));
    }

    /** {@code {"chat": ...}} */
    static ObjectNode chat(Reply reply) {
        ObjectNode body = HttpResponses.JSON.createObjectNode();
        body.set("chat", RestShapes.chat(((Reply.ChatReply) reply).chat()));
        return body;
    }

    /** {@code {"chat_id": ..., "members": [...]}} */
    static ObjectNode members(Reply reply) {
        Reply.ChatMembers members = (Reply.ChatMembers) reply;
        ObjectNode body = HttpResponses.JSON.createObjectNode();
        body.put("chat_id", members.chat().id());
        ArrayNode ids = body.putArray("members");
        members.members().forEach(ids::add);
        return body;
    }

    /** {@code {"messages": [...], "has_more": ...}} */
    static ObjectNode messages(Reply reply) {
        ObjectNode body = HttpResponses.JSON.createObjectNode();
        ArrayNode messages = body.putArray("messages");
        ((Reply.HistoryPage) reply).messages().forEach(m -> messages.add(RestShapes.message(m)));
        body.put("has_more", ((Reply.HistoryPage) reply).more());
        return body;
    }
}
