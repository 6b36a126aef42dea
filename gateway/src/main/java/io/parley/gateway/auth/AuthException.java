package io.parley.gateway.auth;

/**
 * A credential was refused. {@link #reason()} is a short stable label used in metrics and logs
 * (never the token itself); the message is safe to show the client.
 */
public final class AuthException extends Exception {
    private final String reason;

    public AuthException(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
