package io.parley.gateway.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.auth.TokenVerifier;
import io.parley.gateway.core.ApplicationRequests;
import io.parley.gateway.core.ChatCreation;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.command.Reply;
import io.parley.protocol.json.Fields;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.rest.RestShapes;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;

/**
 * The server API: what the application's backend does, with a token of {@code role: "service"}
 * (documented in {@code /openapi.yaml}; {@link ChatsApiRoute} hands over the chat paths of such a
 * token, the user paths come here):
 * <ul>
 *   <li>{@code POST /api/v1/chats {"kind", "members", "owner_id"?, "title"?, "application_id"?}} → 201
 *       {@code {"chat"}}: any users' chat;</li>
 *   <li>{@code GET /api/v1/chats/{id}/messages} as for a member: any chat's history;</li>
 *   <li>{@code POST /api/v1/chats/{id}/messages {"text", "sender_id"?, "client_message_id"?}} → 201
 *       {@code {"message"}}: as a member, or without {@code sender_id} as the system;</li>
 *   <li>{@code GET /api/v1/chats/{id}/members} → {@code {"chat_id", "members"}}: any chat's;
 *       {@code POST /api/v1/chats/{id}/members {"user_id"}} → 200 {@code {"chat"}};
 *       {@code DELETE /api/v1/chats/{id}/members/{user}} → 204;</li>
 *   <li>{@code POST /api/v1/chats/{id}/close {"text"?}} → 200 {@code {"chat"}};</li>
 *   <li>{@code POST /api/v1/users/{id}/disconnect} → 204;
 *       {@code POST /api/v1/users/{id}/revoke {"before"}} → 204.</li>
 * </ul>
 */
public final class ServerApiRoute implements HttpRoute {
    public static final String USERS_PATH = "/api/v1/users";

    private final ApplicationRequests application;
    private final TokenVerifier tokens;

    public ServerApiRoute(ApplicationRequests application, TokenVerifier tokens) {
        this.application = application;
        this.tokens = tokens;
    }

    /** {@code /api/v1/users/...}: the service token is checked here. */
    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        Principal principal = ApiRequests.principal(ctx, request, tokens);
        if (principal == null) {
            return;
        }
        if (!principal.service()) {
            HttpResponses.error(ctx, request, HttpResponseStatus.FORBIDDEN, NEEDS_SERVICE_TOKEN);
            return;
        }
        try {
            users(ctx, request);
        } catch (ChatException e) {
            HttpResponses.error(ctx, request, HttpResponseStatus.valueOf(e.code().status()), e.getMessage());
        }
    }

    static final String NEEDS_SERVICE_TOKEN = "the server API needs a token with role \"service\"";

    /** Whether a user's token asked for something only the server API does (answered 403). */
    static boolean serviceOnly(HttpMethod method, String[] parts) {
        return parts.length >= 2 && (parts[1].equals("close")
                || (parts[1].equals("messages") && HttpMethod.POST.equals(method)));
    }

    /** {@code rest}: the path after {@code /api/v1/chats}. */
    void chats(ChannelHandlerContext ctx, FullHttpRequest request, String rest) {
        HttpMethod method = request.method();
        if (rest.isEmpty() || rest.equals("/")) {
            if (HttpMethod.POST.equals(method)) {
                ApiRequests.answer(ctx, request, create(request), HttpResponseStatus.CREATED, ApiRequests::chat);
            } else {
                HttpResponses.methodNotAllowed(ctx, request, "POST",
                        "the server API creates chats (POST); list a user's chats with their own token");
            }
            return;
        }
        String[] parts = rest.substring(1).split("/", -1);
        String chatId = parts[0];
        String action = parts.length > 1 ? parts[1] : "";
        if (chatId.isEmpty()) {
            notFound(ctx, request);
        } else if (parts.length == 2 && action.equals("messages") && HttpMethod.GET.equals(method)) {
            Command.GetHistory page = ChatsApiRoute.historyCommand(chatId, new QueryStringDecoder(request.uri()).parameters());
            ApiRequests.answer(ctx, request, application.history(page), HttpResponseStatus.OK, ApiRequests::messages);
        } else if (parts.length == 2 && action.equals("messages") && HttpMethod.POST.equals(method)) {
            Fields body = fields(request, "{\"text\": \"Your booking is confirmed\"}");
            ApiRequests.answer(ctx, request, application.post(chatId, body.optionalId("sender_id"), body.text("text"),
                    body.optionalClientMessageId()), HttpResponseStatus.CREATED, ServerApiRoute::message);
        } else if (parts.length == 2 && action.equals("members") && HttpMethod.GET.equals(method)) {
            ApiRequests.answer(ctx, request, application.members(chatId), HttpResponseStatus.OK, ApiRequests::members);
        } else if (parts.length == 2 && action.equals("members") && HttpMethod.POST.equals(method)) {
            String userId = fields(request, "{\"user_id\": \"42\"}").id("user_id");
            ApiRequests.answer(ctx, request, application.addMember(chatId, userId), HttpResponseStatus.OK, ApiRequests::chat);
        } else if (parts.length == 2 && (action.equals("messages") || action.equals("members"))) {
            HttpResponses.methodNotAllowed(ctx, request, "GET, POST", "use GET or POST");
        } else if (parts.length == 3 && action.equals("members") && !parts[2].isEmpty()) {
            if (require(ctx, request, HttpMethod.DELETE)) {
                ApiRequests.answer(ctx, request, application.removeMember(chatId, parts[2]), HttpResponseStatus.NO_CONTENT, null);
            }
        } else if (parts.length == 2 && action.equals("close")) {
            if (require(ctx, request, HttpMethod.POST)) {
                String text = fields(request, "{\"text\": \"Thanks, this chat is closed\"}").optionalString("text");
                ApiRequests.answer(ctx, request, application.close(chatId, text), HttpResponseStatus.OK, ApiRequests::chat);
            }
        } else {
            notFound(ctx, request);
        }
    }

    /** {@code /api/v1/users/{id}/disconnect} and {@code /api/v1/users/{id}/revoke}. */
    private void users(ChannelHandlerContext ctx, FullHttpRequest request) {
        String[] parts = new QueryStringDecoder(request.uri()).path().substring(USERS_PATH.length()).split("/", -1);
        // parts[0] is the empty string before the first slash
        if (parts.length != 3 || parts[1].isEmpty()) {
            notFound(ctx, request);
            return;
        }
        String userId = parts[1];
        if (parts[2].equals("disconnect")) {
            if (require(ctx, request, HttpMethod.POST)) {
                ApiRequests.answer(ctx, request, application.disconnect(userId), HttpResponseStatus.NO_CONTENT, null);
            }
        } else if (parts[2].equals("revoke")) {
            if (require(ctx, request, HttpMethod.POST)) {
                ApiRequests.answer(ctx, request, application.revoke(userId, before(request)), HttpResponseStatus.NO_CONTENT, null);
            }
        } else {
            notFound(ctx, request);
        }
    }

    private CompletableFuture<Reply> create(FullHttpRequest request) {
        Fields body = fields(request, "{\"kind\": \"booking\", \"members\": [\"owner-7\", \"sitter-9\"]}");
        ChatKind kind;
        try {
            kind = ChatKind.fromWireName(body.string("kind"));
        } catch (IllegalArgumentException e) {
            throw new ChatException(ErrorCode.BAD_REQUEST, "kind: expected direct, group, project, booking or support");
        }
        return application.createChat(kind, new ArrayList<>(body.ids("members", ChatCreation.MAX_MEMBERS + 1)),
                body.optionalId("owner_id"), body.optionalString("title"), body.optionalPositiveLong("application_id"));
    }

    /** {@code before}: an ISO-8601 instant, or absent for now. */
    private static Instant before(FullHttpRequest request) {
        String before = fields(request, "{\"before\": \"2026-12-07T10:00:00Z\"}").optionalString("before");
        if (before == null) {
            return Instant.now();
        }
        try {
            return Instant.parse(before);
        } catch (DateTimeParseException e) {
            throw new ChatException(ErrorCode.BAD_REQUEST, "before: expected an ISO-8601 time such as 2026-12-07T10:00:00Z");
        }
    }

    private static Fields fields(FullHttpRequest request, String example) {
        return new Fields(ApiRequests.body(request, example), "");
    }

    private static ObjectNode message(Reply reply) {
        ObjectNode body = HttpResponses.JSON.createObjectNode();
        body.set("message", RestShapes.message(((Reply.MessageReply) reply).message()));
        return body;
    }

    private static boolean require(ChannelHandlerContext ctx, FullHttpRequest request, HttpMethod method) {
        if (method.equals(request.method())) {
            return true;
        }
        HttpResponses.methodNotAllowed(ctx, request, method.name(), "use " + method.name());
        return false;
    }

    private static void notFound(ChannelHandlerContext ctx, FullHttpRequest request) {
        HttpResponses.error(ctx, request, HttpResponseStatus.NOT_FOUND, "no route for " + request.method() + " "
                + new QueryStringDecoder(request.uri()).path());
    }
}
