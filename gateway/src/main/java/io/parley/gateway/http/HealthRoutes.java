package io.parley.gateway.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.parley.storage.HistoryService;

import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /health}: the process answers (liveness). {@code GET /ready}: the node should get
 * traffic: not shutting down, its cluster bus connected (a node cut off from Redis would take
 * sockets whose messages reach nobody elsewhere), and the history store answered a query just
 * now (checked off the event loop, with the store's deadline).
 */
public final class HealthRoutes {
    /** Liveness: what a container HEALTHCHECK and a Kubernetes livenessProbe ask. */
    public static final String HEALTH_PATH = "/health";
    /** Readiness: what a Kubernetes readinessProbe and a load balancer ask. */
    public static final String READY_PATH = "/ready";

    private HealthRoutes() {
    }

    public static HttpRoute health() {
        return (ctx, request) -> HttpResponses.json(ctx, request, HttpResponseStatus.OK, Map.of("status", "up"));
    }

    public static HttpRoute ready(HistoryService history, BooleanSupplier draining, BooleanSupplier busConnected) {
        return (ctx, request) -> {
            if (draining.getAsBoolean()) {
                HttpResponses.json(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE,
                        Map.of("status", "draining"));
                return;
            }
            if (!busConnected.getAsBoolean()) {
                HttpResponses.json(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE,
                        Map.of("status", "not ready", "bus", "down"));
                return;
            }
            request.retain();
            history.call("ready_check", store -> store.isHealthy()).whenComplete((healthy, failure) ->
                    ctx.executor().execute(() -> {
                        try {
                            boolean ok = failure == null && Boolean.TRUE.equals(healthy);
                            HttpResponses.json(ctx, request, ok ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                                    Map.of("status", ok ? "ready" : "not ready", "history_store", ok ? "up" : "down"));
                        } finally {
                            request.release();
                        }
                    }));
        };
    }
}
