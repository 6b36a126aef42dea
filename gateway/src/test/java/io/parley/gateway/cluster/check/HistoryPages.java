package io.parley.gateway.cluster.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.gateway.support.TestNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A chat's whole history in sequence order, read over the REST API a page at a time (newest page first). */
final class HistoryPages {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE = 200;

    private HistoryPages() {
    }

    static List<String> texts(HttpClient http, CheckedCluster.Node node, String userId, String chatId) {
        List<String> texts = new ArrayList<>();
        for (JsonNode message : messages(http, node, userId, chatId)) {
            texts.add(message.path("text").asText());
        }
        return texts;
    }

    static List<JsonNode> messages(HttpClient http, CheckedCluster.Node node, String userId, String chatId) {
        List<JsonNode> newestFirstPages = new ArrayList<>();
        String before = null;
        while (true) {
            JsonNode page = get(http, node.http("/api/v1/chats/" + chatId + "/messages?limit=" + PAGE
                    + (before == null ? "" : "&before_id=" + before)), userId).path("messages");
            List<JsonNode> messages = new ArrayList<>();
            page.forEach(messages::add);
            newestFirstPages.addAll(0, messages); // each page is oldest first
            if (messages.size() < PAGE) {
                return newestFirstPages;
            }
            before = messages.get(0).path("id").asText();
        }
    }

    private static JsonNode get(HttpClient http, URI uri, String userId) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + TestNode.token(userId)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + uri + ": " + response.statusCode() + " " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("GET " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
