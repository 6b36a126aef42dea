package io.parley.gateway.connection;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Cross-site WebSocket hijacking guard: a browser always sends {@code Origin}; when it is not on
 * the allowlist the handshake is refused. Non-browser clients send none and are allowed (their
 * token is what authenticates them). {@code "*"} on the list allows every origin.
 */
public final class OriginPolicy {
    private final boolean any;
    private final Set<String> allowed;

    public OriginPolicy(List<String> allowedOrigins) {
        this.any = allowedOrigins.contains("*");
        this.allowed = allowedOrigins.stream().map(OriginPolicy::normalize).collect(Collectors.toUnmodifiableSet());
    }

    public boolean allows(String origin) {
        return origin == null || any || allowed.contains(normalize(origin));
    }

    private static String normalize(String origin) {
        String s = origin.trim().toLowerCase(Locale.ROOT);
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
