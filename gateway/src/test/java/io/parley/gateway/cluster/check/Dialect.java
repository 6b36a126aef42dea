package io.parley.gateway.cluster.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.gateway.support.TestNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Each dialect that can send, as a client of a group chat speaks it: where it connects, how it
 * sends a text, and which texts of the chat's new messages a server frame carries (a push, the
 * acknowledgement of its own send, or a history update). Errors are frames that carry none.
 */
enum Dialect {
    EVENTS {
        @Override
        String path(String chatId, String userId) {
            return "/ws?sid=" + userId;
        }

        @Override
        String[] subprotocols(String userId) {
            return new String[] {"access_token", TestNode.token(userId)};
        }

        @Override
        String send(String chatId, String userId, String text) {
            ObjectNode args = JSON.createObjectNode().put("session_channel", chatId).put("sender_id", userId)
                    .put("content", text);
            return JSON.createObjectNode().put("name", "Event.SendMessage").set("args", args).toString();
        }

        @Override
        void texts(JsonNode frame, String chatId, List<String> into) {
            String name = frame.path("name").asText();
            JsonNode message = frame.at("/result/message");
            if ((name.equals("Event.ReceiveMessage") || name.equals("Event.SendMessage") && frame.path("ok").asBoolean())
                    && chatId.equals(message.path("session_channel").asText())) {
                into.add(message.path("content").asText());
            }
        }
    },
    TYPED {
        @Override
        String path(String chatId, String userId) {
            return "/ws/chats/";
        }

        @Override
        String send(String chatId, String userId, String text) {
            ObjectNode content = JSON.createObjectNode().put("chat_type", "project").put("chat_id", chatId)
                    .put("message", text).putNull("reply_to");
            return JSON.createObjectNode().put("type", "new_message").set("content", content).toString();
        }

        @Override
        void texts(JsonNode frame, String chatId, List<String> into) {
            if ("new_message".equals(frame.path("type").asText()) && chatId.equals(frame.at("/content/chat_id").asText())) {
                into.add(frame.at("/content/message").asText());
            }
        }
    },
    ACTIONS {
        @Override
        String path(String chatId, String userId) {
            return "/api/v1/websocket/ws/" + userId;
        }

        @Override
        String send(String chatId, String userId, String text) {
            return JSON.createObjectNode().put("type", "send_message").put("chat_id", chatId).put("text", text).toString();
        }

        @Override
        void texts(JsonNode frame, String chatId, List<String> into) {
            String type = frame.path("type").asText();
            JsonNode message = frame.at("/data/message");
            if ((type.equals("new_message") || type.equals("send_message") && frame.path("ok").asBoolean())
                    && chatId.equals(message.path("chat_id").asText())) {
                into.add(message.path("text").asText());
            }
        }
    },
    /** Bound to its chat by the URL; authenticated by a hello frame, not a header. */
    PAIR {
        @Override
        String path(String chatId, String userId) {
            return "/chat/" + chatId;
        }

        @Override
        Map<String, String> headers(String userId) {
            return Map.of();
        }

        @Override
        String hello(String userId) {
            return JSON.createObjectNode().put("sessionId", TestNode.token(userId)).toString();
        }

        @Override
        String send(String chatId, String userId, String text) {
            return JSON.createObjectNode().put("sessionId", TestNode.token(userId)).put("message", text)
                    .put("timestamp", "2024-11-18T14:25:00Z").toString();
        }

        @Override
        void texts(JsonNode frame, String chatId, List<String> into) {
            if (frame.has("messageId")) {
                into.add(frame.path("message").asText());
            }
        }
    },
    /** Bound to its chat by the URL; its first frame is an update holding recent history. */
    FEED {
        @Override
        String path(String chatId, String userId) {
            return "/v1/chats/" + chatId + "?heartbeat=false";
        }

        @Override
        String send(String chatId, String userId, String text) {
            ObjectNode item = JSON.createObjectNode().put("type", "message").put("text", text);
            ObjectNode frame = JSON.createObjectNode().put("type", "update");
            frame.putArray("message").add(item);
            return frame.toString();
        }

        @Override
        void texts(JsonNode frame, String chatId, List<String> into) {
            if ("update".equals(frame.path("type").asText())) {
                for (JsonNode item : frame.path("message")) {
                    if ("message".equals(item.path("type").asText())) {
                        into.add(item.path("text").asText());
                    }
                }
            }
        }
    };

    private static final ObjectMapper JSON = new ObjectMapper();

    abstract String path(String chatId, String userId);

    /** Request headers of the handshake: a Bearer token unless the dialect authenticates otherwise. */
    Map<String, String> headers(String userId) {
        return subprotocols(userId).length > 0 ? Map.of() : TestNode.bearer(userId);
    }

    String[] subprotocols(String userId) {
        return new String[0];
    }

    /** The first frame to send after the upgrade, or null. */
    String hello(String userId) {
        return null;
    }

    abstract String send(String chatId, String userId, String text);

    /** Adds the texts of the chat's new messages that {@code frame} carries. */
    abstract void texts(JsonNode frame, String chatId, List<String> into);

    /** The texts of the chat's new messages in these frames, in order. */
    List<String> texts(List<JsonNode> frames, String chatId) {
        List<String> texts = new ArrayList<>();
        frames.forEach(frame -> texts(frame, chatId, texts));
        return texts;
    }
}
