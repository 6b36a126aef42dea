package io.parley.protocol.command;

import java.util.Objects;

/**
 * A request failed with a code the client sees. The message is for humans and must never carry
 * a stack trace or internals.
 */
public class ChatException extends RuntimeException {
    private final ErrorCode code;

    public ChatException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = Objects.requireNonNull(code, "code");
    }

    public ErrorCode code() {
        return code;
    }
}
