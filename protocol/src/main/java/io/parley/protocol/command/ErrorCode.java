package io.parley.protocol.command;

/** Error codes every dialect reports, modelled on HTTP (PROTOCOLS.md "Errors"). */
public enum ErrorCode {
    BAD_REQUEST(400),
    UNAUTHORIZED(401),
    FORBIDDEN(403),
    NOT_FOUND(404),
    CONFLICT(409),
    TOO_LARGE(413),
    RATE_LIMITED(429),
    INTERNAL(500),
    UNAVAILABLE(503);

    private final int status;

    ErrorCode(int status) {
        this.status = status;
    }

    /** The HTTP-like numeric code put on the wire. */
    public int status() {
        return status;
    }
}
