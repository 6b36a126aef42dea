package io.parley.gateway.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.auth.TokenVerifier;
import io.parley.gateway.core.ChatService;
import io.parley.gateway.core.MemberChanges;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.command.Reply;
import io.parley.protocol.json.Fields;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.rest.RestShapes;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The REST API for what a client cannot do over a socket first (documented in
 * {@code /openapi.yaml}), with {@code Authorization: Bearer <jwt>}:
 * <ul>
 *   <li>{@code POST /api/v1/chats {"kind", "members"?, "title"?, "application_id"?}} → 201
 *       {@code {"chat"}}: direct (one other member; idempotent), group/project (members), booking
 *       (the other participant), support ({@code application_id}; idempotent).</li>
 *   <li>{@code GET /api/v1/chats} → {@code {"chats": [...]}}.</li>
 *   <li>{@code GET /api/v1/chats/{id}/messages?before_id=|after_id=&limit=} →
 *       {@code {"messages": [...], "has_more"}}, oldest first: the newest page, a page back from
 *       {@code before_id}, or the messages after {@code after_id} (resume); {@code has_more} says
 *       another page follows in that direction.</li>
 *   <li>{@code GET /api/v1/chats/{id}/members} → {@code {"chat_id", "members": [...]}}, for
 *       those the chat admits;</li>
 *   <li>{@code POST /api/v1/chats/{id}/members {"user_id"}} → 200 {@code {"chat"}} and
 *       {@code DELETE /api/v1/chats/{id}/members/{user}} → 204, in group and project chats: the
 *       owner adds and removes, a member leaves with their own id.</li>
 * </ul>
 * A token with {@code role: "service"} gets the server API on these paths instead ({@link ServerApiRoute}).
 * Errors: {@code {"error": {"code", "message"}}} with the HTTP status. The chat core runs off the
 * event loop; the answer is written back on the connection's own executor.
 */
public final class ChatsApiRoute implements HttpRoute {
    public static final String PATH = "/api/v1/chats";

    private final ChatService chat;
    private final TokenVerifier tokens;
    private final ServerApiRoute serverApi;

    public ChatsApiRoute(ChatService chat, TokenVerifier tokens, ServerApiRoute serverApi) {
        this.chat = chat;
        this.tokens = tokens;
        this.serverApi = serverApi;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        Principal principal = ApiRequests.principal(ctx, request, tokens);
        if (principal == null) {
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String rest = uri.path().substring(PATH.length());
        try {
            if (principal.service()) {
                serverApi.chats(ctx, request, rest);
                return;
            }
            if (ServerApiRoute.serviceOnly(request.method(), rest.isEmpty() ? new String[0] : rest.substring(1).split("/", -1))) {
                HttpResponses.error(ctx, request, HttpResponseStatus.FORBIDDEN, ServerApiRoute.NEEDS_SERVICE_TOKEN);
                return;
            }
            if (rest.isEmpty() || rest.equals("/")) {
                if (HttpMethod.GET.equals(request.method())) {
                    run(ctx, request, principal, new Command.ListChats(null), HttpResponseStatus.OK, ChatsApiRoute::chats);
                } else if (HttpMethod.POST.equals(request.method())) {
                    run(ctx, request, principal, createCommand(request), HttpResponseStatus.CREATED, ApiRequests::chat);
                } else {
                    HttpResponses.error(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET or POST on " + PATH);
                }
                return;
            }
            String[] parts = rest.substring(1).split("/", -1);
            if (parts.length == 2 && parts[1].equals("messages") && !parts[0].isEmpty()) {
                if (!HttpMethod.GET.equals(request.method())) {
                    HttpResponses.error(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET");
                    return;
                }
                run(ctx, request, principal, historyCommand(parts[0], uri.parameters()), HttpResponseStatus.OK,
                        ApiRequests::messages);
                return;
            }
            if (parts.length == 2 && parts[1].equals("attachments") && !parts[0].isEmpty()) {
                // POST streams past this route (UploadHandler); anything else ends here.
                HttpResponses.methodNotAllowed(ctx, request, "POST",
                        "upload with POST as multipart/form-data, the file in part \"file\"");
                return;
            }
            if (parts.length >= 2 && parts[1].equals("members") && !parts[0].isEmpty()) {
                members(ctx, request, principal, parts);
                return;
            }
            HttpResponses.error(ctx, request, HttpResponseStatus.NOT_FOUND, "no route for " + uri.path());
        } catch (ChatException e) {
            HttpResponses.error(ctx, request, HttpResponseStatus.valueOf(e.code().status()), e.getMessage());
        }
    }

    /**
     * {@code GET /{id}/members} (who is in, for members), {@code POST /{id}/members {"user_id"}}
     * (the owner adds) and {@code DELETE /{id}/members/{user}} (the owner removes, a member leaves
     * with their own id); rules in {@link MemberChanges}.
     */
    private void members(ChannelHandlerContext ctx, FullHttpRequest request, Principal principal, String[] parts) {
        String chatId = parts[0];
        if (parts.length == 2 && HttpMethod.GET.equals(request.method())) {
            ApiRequests.answer(ctx, request, chat.members().list(principal, chatId), HttpResponseStatus.OK,
                    ApiRequests::members);
        } else if (parts.length == 2 && HttpMethod.POST.equals(request.method())) {
            String userId = new Fields(ApiRequests.body(request, "{\"user_id\": \"42\"}"), "").id("user_id");
            ApiRequests.answer(ctx, request, chat.members().add(principal.userId(), chatId, userId),
                    HttpResponseStatus.OK, ApiRequests::chat);
        } else if (parts.length == 3 && !parts[2].isEmpty() && HttpMethod.DELETE.equals(request.method())) {
            ApiRequests.answer(ctx, request, chat.members().remove(principal.userId(), chatId, parts[2]),
                    HttpResponseStatus.NO_CONTENT, null);
        } else if (parts.length == 2 || (parts.length == 3 && !parts[2].isEmpty())) {
            HttpResponses.methodNotAllowed(ctx, request, parts.length == 2 ? "GET, POST" : "DELETE",
                    "use GET or POST on /{id}/members, DELETE on /{id}/members/{user}");
        } else {
            HttpResponses.error(ctx, request, HttpResponseStatus.NOT_FOUND, "no route for " + request.uri());
        }
    }

    private void run(ChannelHandlerContext ctx, FullHttpRequest request, Principal principal, Command command,
                     HttpResponseStatus success, Function<Reply, ObjectNode> body) {
        ApiRequests.answer(ctx, request, chat.execute(principal, 0, command), success, body);
    }

    private static Command createCommand(FullHttpRequest request) {
        Fields fields = new Fields(ApiRequests.body(request, "{\"kind\": \"group\", \"members\": [\"2\"]}"), "");
        String kindName = fields.string("kind");
        ChatKind kind;
        try {
            kind = ChatKind.fromWireName(kindName);
        } catch (IllegalArgumentException e) {
            throw new ChatException(ErrorCode.BAD_REQUEST, "kind: expected direct, group, project, booking or support");
        }
        if (kind == ChatKind.SUPPORT) {
            return new Command.OpenSupportChat(null, fields.positiveLong("application_id"));
        }
        return new Command.CreateChat(kind, fields.ids("members", 100), fields.optionalString("title"), null);
    }

    static Command.GetHistory historyCommand(String chatId, Map<String, List<String>> query) {
        Long before = null;
        Long after = null;
        int limit = Command.GetHistory.DEFAULT_LIMIT;
        try {
            if (query.containsKey("before_id")) {
                before = Long.parseLong(query.get("before_id").get(0));
            }
            if (query.containsKey("after_id")) {
                after = Long.parseLong(query.get("after_id").get(0));
            }
            if (query.containsKey("limit")) {
                limit = Integer.parseInt(query.get("limit").get(0));
            }
        } catch (NumberFormatException e) {
            throw new ChatException(ErrorCode.BAD_REQUEST, "before_id, after_id and limit must be integers");
        }
        if (limit < 1 || limit > Command.GetHistory.MAX_LIMIT || (before != null && before <= 0)
                || (after != null && after <= 0)) {
            throw new ChatException(ErrorCode.BAD_REQUEST,
                    "limit must be 1.." + Command.GetHistory.MAX_LIMIT + ", before_id and after_id positive");
        }
        if (before != null && after != null) {
            throw new ChatException(ErrorCode.BAD_REQUEST, "send before_id or after_id, not both");
        }
        return new Command.GetHistory(chatId, null, before, limit, after);
    }

    private static ObjectNode chats(Reply reply) {
        ObjectNode body = HttpResponses.JSON.createObjectNode();
        ArrayNode chats = body.putArray("chats");
        ((Reply.ChatList) reply).chats().forEach(c -> chats.add(RestShapes.chat(c)));
        return body;
    }
}
