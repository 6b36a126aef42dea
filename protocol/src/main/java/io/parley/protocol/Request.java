package io.parley.protocol;

import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Command;

/**
 * One decoded client frame: either a {@link Command} to run or the reason it cannot be run.
 * Both remember what the dialect needs to address its reply (the request's name or type and an
 * optional client correlation id), so an error is answered in the client's own shape.
 */
public sealed interface Request {

    /** The frame's own name or type, echoed in the reply; {@code null} if it could not be read. */
    String name();

    /** Client correlation id to echo ({@code id} / {@code request_id}), or {@code null}. */
    Object correlationId();

    record Valid(String name, Object correlationId, Command command) implements Request {
    }

    record Invalid(String name, Object correlationId, ChatException error) implements Request {
    }
}
