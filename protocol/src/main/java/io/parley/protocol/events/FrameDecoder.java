package io.parley.protocol.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.protocol.Request;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.ErrorCode;

import java.io.IOException;
import java.util.regex.Pattern;

/**
 * Reads the envelope of a client frame ({@code name}, {@code args}, {@code id}) and hands the
 * arguments to {@link CommandReader}. Never throws on bad input: every failure becomes a
 * {@link Request.Invalid} with {@link ErrorCode#BAD_REQUEST}.
 */
final class FrameDecoder {

    private static final String ARGS_EXPECTED = "an object or a string holding a JSON object";
    private static final String SUPPORTED = "supported names: " + String.join(", ", EventNames.CLIENT_NAMES);
    private static final int MAX_ECHOED_NAME = 64;
    private static final int MAX_PARSER_MESSAGE = 160;
    /**
     * Parts of Jackson's messages that name sources, settings or classes rather than the problem,
     * e.g. {@code (start marker at [Source: ...])}, {@code , from `StreamReadConstraints...`},
     * {@code (bound as `...JsonNode`)}, {@code : not allowed when `...` enabled}.
     */
    private static final Pattern[] INTERNALS = {
            Pattern.compile("\\s*\\([^()\\[]*\\[Source:.*?\\]\\)"),
            Pattern.compile(",\\s*from\\s*`[^`]*`"),
            Pattern.compile("\\s*\\(bound as `[^`]*`\\)"),
            Pattern.compile(":\\s*not allowed[^`]*`[^`]*`(\\s*enabled)?"),
            Pattern.compile("\\s*(for\\s*)?`[^`]*`"),
    };

    private FrameDecoder() {
    }

    static Request decode(byte[] utf8, int offset, int length) {
        JsonNode frame;
        try {
            frame = EventsJson.read(utf8, offset, length);
        } catch (IOException e) {
            return invalid(null, null, "malformed JSON: " + parserMessage(e));
        }
        if (frame == null) {
            return invalid(null, null, "malformed JSON: empty frame");
        }
        if (!frame.isObject()) {
            return invalid(null, null, "malformed JSON: a frame must be a JSON object, got "
                    + ArgsReader.describe(frame));
        }

        JsonNode idNode = frame.get("id");
        Object id = null;
        if (idNode != null && !idNode.isNull()) {
            if (idNode.isTextual()) {
                id = idNode.textValue();
            } else if (idNode.isNumber()) {
                id = idNode.numberValue();
            } else {
                return invalid(null, null, "id: expected a string or a number, got " + ArgsReader.describe(idNode));
            }
        }

        JsonNode nameNode = frame.get("name");
        if (nameNode == null || nameNode.isNull()) {
            return invalid(null, id, "name: required; " + SUPPORTED);
        }
        if (!nameNode.isTextual()) {
            return invalid(null, id, "name: expected a string, got " + ArgsReader.describe(nameNode) + "; " + SUPPORTED);
        }
        String name = nameNode.textValue();
        if (EventNames.SERVER_NAMES.contains(name)) {
            return invalid(null, id, name + " is sent by the server only and cannot be requested; " + SUPPORTED);
        }
        if (!CommandReader.isClientName(name)) {
            return invalid(null, id, "unknown name \"" + abbreviate(name) + "\"; " + SUPPORTED);
        }

        JsonNode argsNode = frame.get("args");
        if (argsNode == null || argsNode.isNull()) {
            return invalid(name, id, "args: required, expected " + ARGS_EXPECTED);
        }
        if (argsNode.isTextual()) {
            try {
                argsNode = EventsJson.read(argsNode.textValue());
            } catch (IOException e) {
                return invalid(name, id, "args: malformed JSON in string: " + parserMessage(e));
            }
            if (argsNode == null || !argsNode.isObject()) {
                return invalid(name, id, "args: expected " + ARGS_EXPECTED + ", got a string holding "
                        + (argsNode == null ? "nothing" : ArgsReader.describe(argsNode)));
            }
        } else if (!argsNode.isObject()) {
            return invalid(name, id, "args: expected " + ARGS_EXPECTED + ", got " + ArgsReader.describe(argsNode));
        }

        try {
            return new Request.Valid(name, id, CommandReader.read(name, new ArgsReader((ObjectNode) argsNode)));
        } catch (ChatException e) {
            return new Request.Invalid(name, id, e);
        }
    }

    private static Request.Invalid invalid(String name, Object id, String message) {
        return new Request.Invalid(name, id, new ChatException(ErrorCode.BAD_REQUEST, message));
    }

    /** The parser's complaint in one short line, without locations or library internals. */
    static String parserMessage(IOException e) {
        String message = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        if (newline >= 0) {
            message = message.substring(0, newline);
        }
        for (Pattern internal : INTERNALS) {
            message = internal.matcher(message).replaceAll("");
        }
        message = message.strip();
        if (message.isEmpty()) {
            return "invalid JSON";
        }
        return message.length() <= MAX_PARSER_MESSAGE ? message : message.substring(0, MAX_PARSER_MESSAGE) + "...";
    }

    private static String abbreviate(String name) {
        return name.length() <= MAX_ECHOED_NAME ? name : name.substring(0, MAX_ECHOED_NAME) + "...";
    }
}
