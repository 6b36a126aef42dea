package io.parley.loadtest.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.loadtest.bench.OrderInvariants.Message;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A chat's whole history over REST: {@code GET /api/v1/chats/{id}/messages?limit=200}, then
 * {@code before_id=<oldest so far>} backwards until a page comes back short; each page is oldest
 * first, so pages are put in front of what was read.
 */
final class ChatHistory {
    private static final int PAGE = 200;
    /** Far more pages than a checked chat holds: a node that pages in a circle fails instead of looping. */
    private static final int MAX_PAGES = 100;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    /** Every message, oldest first; {@code token} is any member's. */
    List<Message> read(GatewayProcess node, String chatId, String token, Function<JsonNode, Message> parse)
            throws IOException, InterruptedException {
        List<Message> all = new ArrayList<>();
        Long before = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            URI uri = node.uri("/api/v1/chats/" + chatId + "/messages?limit=" + PAGE
                    + (before == null ? "" : "&before_id=" + before), "http");
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("GET " + uri + ": " + response.statusCode() + " " + response.body());
            }
            JsonNode messages = OrderMember.JSON.readTree(response.body()).path("messages");
            List<Message> older = new ArrayList<>();
            messages.forEach(m -> older.add(parse.apply(m)));
            all.addAll(0, older);
            if (older.size() < PAGE) {
                return all;
            }
            before = older.get(0).id();
        }
        throw new IOException("history of " + chatId + " still not at its start after " + MAX_PAGES + " pages");
    }
}
