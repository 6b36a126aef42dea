package io.parley.gateway.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.parley.gateway.admin.NodeView;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.auth.TokenVerifier;

/**
 * {@code GET /api/v1/admin/node} with {@code Authorization: Bearer <jwt>} → 200 the node view
 * ({@link NodeView}; documented in {@code /openapi.yaml}). Only for operators: a token of role
 * {@code admin} (staff) or {@code service} (the application's backend); a user's token gets 403,
 * no token or a bad one 401. Answered on the event loop: the view reads memory only.
 */
public final class AdminApiRoute implements HttpRoute {
    public static final String PATH = "/api/v1/admin/node";
    static final String NEEDS_OPERATOR = "the node view needs a token with role \"admin\" or \"service\"";

    private final NodeView view;
    private final TokenVerifier tokens;

    public AdminApiRoute(NodeView view, TokenVerifier tokens) {
        this.view = view;
        this.tokens = tokens;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        Principal principal = ApiRequests.principal(ctx, request, tokens);
        if (principal == null) {
            return;
        }
        if (!principal.staff() && !principal.service()) {
            HttpResponses.error(ctx, request, HttpResponseStatus.FORBIDDEN, NEEDS_OPERATOR);
            return;
        }
        if (!HttpMethod.GET.equals(request.method())) {
            HttpResponses.methodNotAllowed(ctx, request, "GET", "use GET on " + PATH);
            return;
        }
        HttpResponses.json(ctx, request, HttpResponseStatus.OK, view.snapshot());
    }
}
