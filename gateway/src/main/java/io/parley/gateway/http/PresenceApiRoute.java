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
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.command.Reply;
import io.parley.protocol.json.Fields;
import io.parley.protocol.rest.RestShapes;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /api/v1/presence?users=a,b,c} with {@code Authorization: Bearer <jwt>} → 200
 * {@code {"presence": [{"user_id", "online", "last_seen"}]}}: each user once, in the order first
 * asked (documented in {@code /openapi.yaml}; who may see whom and what online means in
 * {@code presence.PresenceSnapshots}). {@code users} may also repeat ({@code ?users=a&users=b}).
 * At most {@value Command.GetPresence#MAX_USERS} ids, else 400. The chat core runs off the event
 * loop; the answer is written back on the connection's own executor.
 */
public final class PresenceApiRoute implements HttpRoute {
    public static final String PATH = "/api/v1/presence";
    private static final String EXAMPLE = "e.g. ?users=2,3";

    private final ChatService chat;
    private final TokenVerifier tokens;

    public PresenceApiRoute(ChatService chat, TokenVerifier tokens) {
        this.chat = chat;
        this.tokens = tokens;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        Principal principal = ApiRequests.principal(ctx, request, tokens);
        if (principal == null) {
            return;
        }
        if (!HttpMethod.GET.equals(request.method())) {
            HttpResponses.methodNotAllowed(ctx, request, "GET", "use GET on " + PATH);
            return;
        }
        try {
            Command.GetPresence command = new Command.GetPresence(users(new QueryStringDecoder(request.uri())));
            ApiRequests.answer(ctx, request, chat.execute(principal, 0, command), HttpResponseStatus.OK,
                    PresenceApiRoute::presence);
        } catch (ChatException e) {
            HttpResponses.error(ctx, request, HttpResponseStatus.valueOf(e.code().status()), e.getMessage());
        }
    }

    /** The ids of every {@code users} parameter, comma-separated, in order. */
    static List<String> users(QueryStringDecoder uri) {
        List<String> values = uri.parameters().get("users");
        if (values == null) {
            throw bad("users: required, 1 to " + Command.GetPresence.MAX_USERS + " comma-separated user ids, " + EXAMPLE);
        }
        List<String> users = new ArrayList<>();
        for (String value : values) {
            for (String user : value.split(",", -1)) {
                if (user.isBlank()) {
                    throw bad("users: an empty user id; send comma-separated ids, " + EXAMPLE);
                }
                if (user.length() > Fields.MAX_ID_LENGTH) {
                    throw bad("users: a user id is at most " + Fields.MAX_ID_LENGTH + " characters");
                }
                users.add(user);
                if (users.size() > Command.GetPresence.MAX_USERS) {
                    throw bad("users: at most " + Command.GetPresence.MAX_USERS + " ids per request");
                }
            }
        }
        return users;
    }

    private static ChatException bad(String message) {
        return new ChatException(ErrorCode.BAD_REQUEST, message);
    }

    /** {@code {"presence": [...]}} */
    private static ObjectNode presence(Reply reply) {
        ObjectNode body = HttpResponses.JSON.createObjectNode();
        ArrayNode entries = body.putArray("presence");
        ((Reply.PresenceSnapshot) reply).users().forEach(user -> entries.add(RestShapes.presence(user)));
        return body;
    }
}
