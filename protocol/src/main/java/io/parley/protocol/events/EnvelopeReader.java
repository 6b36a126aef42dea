package io.parley.protocol.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.protocol.Request;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.json.Fields;
import io.parley.protocol.json.Json;

/**
 * Reads the envelope of a client frame ({@code name}, {@code args}, {@code id}) and hands the
 * arguments to {@link CommandReader}. Never throws on bad input: every failure becomes a
 * {@link Request.Invalid} with {@link ErrorCode#BAD_REQUEST}.
 */
final class EnvelopeReader {

    private static final String ARGS_EXPECTED = "an object or a string holding a JSON object";
    private static final String SUPPORTED = "supported names: " + String.join(", ", EventNames.CLIENT_NAMES);
    private static final int MAX_ECHOED_NAME = 64;
    /** This dialect has never limited the length of ids. */
    private static final int MAX_ID_LENGTH = Integer.MAX_VALUE;

    private EnvelopeReader() {
    }

    static Request decode(byte[] utf8, int offset, int length) {
        JsonNode frame;
        try {
            frame = Json.readObject(utf8, offset, length);
        } catch (ChatException e) {
            return new Request.Invalid(null, null, e);
        }

        JsonNode idNode = frame.get("id");
        Object id = null;
        if (idNode != null && !idNode.isNull()) {
            if (idNode.isTextual()) {
                id = idNode.textValue();
            } else if (idNode.isNumber()) {
                id = idNode.numberValue();
            } else {
                return invalid(null, null, "id: expected a string or a number, got " + Json.describe(idNode));
            }
        }

        JsonNode nameNode = frame.get("name");
        if (nameNode == null || nameNode.isNull()) {
            return invalid(null, id, "name: required; " + SUPPORTED);
        }
        if (!nameNode.isTextual()) {
            return invalid(null, id, "name: expected a string, got " + Json.describe(nameNode) + "; " + SUPPORTED);
        }
        String name = nameNode.textValue();
        if (EventNames.SERVER_NAMES.contains(name)) {
            return invalid(null, id, name + " is sent by the server only and cannot be requested; " + SUPPORTED);
        }
        if (!CommandReader.isClientName(name)) {
            return invalid(null, id, "unknown name \"" + Json.abbreviate(name, MAX_ECHOED_NAME) + "\"; " + SUPPORTED);
        }

        try {
            JsonNode argsNode = frame.get("args");
            if (argsNode == null || argsNode.isNull()) {
                return invalid(name, id, "args: required, expected " + ARGS_EXPECTED);
            }
            if (argsNode.isTextual()) {
                argsNode = Json.readEmbedded("args", argsNode.textValue());
                if (argsNode == null || !argsNode.isObject()) {
                    return invalid(name, id, "args: expected " + ARGS_EXPECTED + ", got a string holding "
                            + (argsNode == null ? "nothing" : Json.describe(argsNode)));
                }
            } else if (!argsNode.isObject()) {
                return invalid(name, id, "args: expected " + ARGS_EXPECTED + ", got " + Json.describe(argsNode));
            }
            return new Request.Valid(name, id, CommandReader.read(name, new Fields(argsNode, "args.", MAX_ID_LENGTH)));
        } catch (ChatException e) {
            return new Request.Invalid(name, id, e);
        }
    }

    private static Request.Invalid invalid(String name, Object id, String message) {
        return new Request.Invalid(name, id, new ChatException(ErrorCode.BAD_REQUEST, message));
    }
}
