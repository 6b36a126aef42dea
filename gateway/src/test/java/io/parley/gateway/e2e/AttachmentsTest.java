package io.parley.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.gateway.support.Multipart;
import io.parley.gateway.support.TestImages;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import static io.parley.gateway.config.Settings.ATTACHMENT_MAX_BYTES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Uploads and downloads over real HTTP on the default blob store (files under data_dir): the
 * type is read from the bytes, members only, ranges and caching, size limits refused early, and
 * a message carrying an upload in the {@code events} dialect.
 */
class AttachmentsTest {
    private static final int LIMIT = 256 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final TestNode node = TestNode.perClass(b -> b.set(ATTACHMENT_MAX_BYTES, LIMIT));

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anImageUploadedByAMemberIsDownloadedByTheOtherMembersOnly() throws Exception {
        String chat = node.createChat("att-alice", "group", "att-bob");
        byte[] png = TestImages.png(64, 48);

        HttpResponse<String> uploaded = upload("att-alice", chat, Multipart.file("file", "кот.png", "image/png", png));
        assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
        JsonNode attachment = JSON.readTree(uploaded.body()).path("attachment");
        assertThat(attachment.path("media_type").asText()).isEqualTo("image/png");
        assertThat(attachment.path("size").asLong()).isEqualTo(png.length);
        assertThat(attachment.path("width").asInt()).isEqualTo(64);
        assertThat(attachment.path("height").asInt()).isEqualTo(48);
        assertThat(attachment.path("name").asText()).isEqualTo("кот.png");
        String url = attachment.path("url").asText();
        assertThat(url).isEqualTo("/api/v1/attachments/" + attachment.path("id").asText());

        HttpResponse<byte[]> download = download(url, "att-bob", Map.of());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(png);
        assertThat(download.headers().firstValue("content-type")).contains("image/png");
        assertThat(download.headers().firstValue("x-content-type-options")).contains("nosniff");
        assertThat(download.headers().firstValue("content-disposition").orElseThrow()).startsWith("inline");
        String etag = download.headers().firstValue("etag").orElseThrow();

        HttpResponse<byte[]> part = download(url, "att-bob", Map.of("Range", "bytes=8-15"));
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.body()).isEqualTo(Arrays.copyOfRange(png, 8, 16));
        assertThat(part.headers().firstValue("content-range")).contains("bytes 8-15/" + png.length);
        assertThat(download(url, "att-bob", Map.of("Range", "bytes=" + png.length + "-")).statusCode()).isEqualTo(416);
        assertThat(download(url, "att-bob", Map.of("If-None-Match", etag)).statusCode()).isEqualTo(304);

        assertThat(download(url, "att-mallory", Map.of()).statusCode()).isEqualTo(403);
        assertThat(http.send(HttpRequest.newBuilder(node.http(url)).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(401);
        assertThat(download("/api/v1/attachments/nosuchattachment", "att-bob", Map.of()).statusCode()).isEqualTo(404);
    }

    @Test
    void theTypeComesFromTheBytesNotFromTheNameOrTheClaim() throws Exception {
        String chat = node.createChat("att-carol", "group", "att-dave");
        HttpResponse<String> png = upload("att-carol", chat,
                Multipart.file("file", "notes.txt", "text/plain", TestImages.png(10, 20)));
        assertThat(png.statusCode()).as(png.body()).isEqualTo(201);
        assertThat(JSON.readTree(png.body()).at("/attachment/media_type").asText()).isEqualTo("image/png");

        byte[] script = "<script>alert(document.cookie)</script>".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> disguised = upload("att-carol", chat, Multipart.file("file", "cat.png", "image/png", script));
        assertThat(disguised.statusCode()).isEqualTo(415);
        assertThat(disguised.body()).contains("text/html");

        HttpResponse<String> text = upload("att-carol", chat, Multipart.file("file", "readme", "application/octet-stream",
                "Привет, мир".getBytes(StandardCharsets.UTF_8)));
        assertThat(text.statusCode()).as(text.body()).isEqualTo(201);
        JsonNode attachment = JSON.readTree(text.body()).path("attachment");
        assertThat(attachment.path("media_type").asText()).isEqualTo("text/plain");
        HttpResponse<byte[]> served = download(attachment.path("url").asText(), "att-dave", Map.of());
        assertThat(served.headers().firstValue("content-disposition").orElseThrow()).startsWith("attachment");
    }

    @Test
    void uploadsAreRefusedToNonMembersAndForMissingChatsAndParts() throws Exception {
        String chat = node.createChat("att-erin", "group", "att-frank");
        Multipart file = Multipart.file("file", "a.png", "image/png", TestImages.png(4, 4));
        assertThat(upload("att-mallory", chat, file).statusCode()).isEqualTo(403);
        assertThat(upload("att-erin", "no-such-chat", file).statusCode()).isEqualTo(404);
        assertThat(upload("att-erin", chat, Multipart.file("photo", "a.png", "image/png", TestImages.png(4, 4)))
                .statusCode()).isEqualTo(400);
        assertThat(upload("att-erin", chat, Multipart.file("file", "empty.png", "image/png", new byte[0]))
                .statusCode()).isEqualTo(400);
        HttpResponse<String> notMultipart = http.send(HttpRequest.newBuilder(node.http("/api/v1/chats/" + chat + "/attachments"))
                .header("Authorization", "Bearer " + TestNode.token("att-erin"))
                .header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(TestImages.png(4, 4))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(notMultipart.statusCode()).isEqualTo(415);
        assertThat(node.rest("GET", "/api/v1/chats/" + chat + "/attachments", "att-erin", null).statusCode()).isEqualTo(405);
    }

    @Test
    void aBodyAnnouncedTooLargeIsRefusedBeforeItIsRead() throws Exception {
        String chat = node.createChat("att-gina", "group", "att-hal");
        try (Socket socket = new Socket("127.0.0.1", node.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(uploadHead(chat, "att-gina", "Content-Length: 1073741824"));
            out.flush();
            String answer = readAll(socket.getInputStream()); // the server closes after answering
            assertThat(answer).startsWith("HTTP/1.1 413").contains("attachment_max_bytes");
        }
    }

    @Test
    void aBodyThatGrowsPastTheLimitIsCutOffAndLeavesNothingBehind() throws Exception {
        String chat = node.createChat("att-ivy", "group", "att-jack");
        try (Socket socket = new Socket("127.0.0.1", node.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(uploadHead(chat, "att-ivy", "Transfer-Encoding: chunked"));
            byte[] head = "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII);
            writeChunk(out, head);
            byte[] chunk = new byte[16 * 1024];
            Arrays.fill(chunk, (byte) 'a');
            long sent = 0;
            InputStream in = socket.getInputStream();
            try {
                // Up to ten times the limit, until the server answers: it must long before.
                while (sent < 10L * LIMIT && in.available() == 0) {
                    writeChunk(out, chunk);
                    sent += chunk.length;
                }
            } catch (IOException closedByServer) {
                // the server may close while we still send
            }
            String answer = readAll(in);
            assertThat(answer).startsWith("HTTP/1.1 413");
        }
        awaitNoUploadsActive();
        try (var left = java.nio.file.Files.list(node.server().config().get(
                io.parley.gateway.config.Settings.DATA_DIR).resolve("uploads"))) {
            assertThat(left.toList()).isEmpty();
        }
    }

    @Test
    void aMessageCarriesAnUploadedImageAndAForeignUrlIsRefused() throws Exception {
        String chat = node.createChat("att-kim", "group", "att-lee");
        JsonNode attachment = JSON.readTree(upload("att-kim", chat,
                Multipart.file("file", "p.png", "image/png", TestImages.png(8, 8))).body()).path("attachment");
        try (WsClient kim = node.connectEvents("att-kim"); WsClient lee = node.connectEvents("att-lee")) {
            kim.event("Event.SendMessage", Map.of("session_channel", chat, "sender_id", "att-kim",
                    "content", "https://evil.example/x.png", "content_type", 2));
            JsonNode refused = kim.await(m -> m.has("error") || m.path("name").asText().contains("Error"));
            assertThat(refused.toString()).contains("uploaded");

            kim.event("Event.SendMessage", Map.of("session_channel", chat, "sender_id", "att-kim",
                    "content", "http://any.host" + attachment.path("url").asText(), "content_type", 2));
            JsonNode delivered = lee.await(m -> m.path("name").asText().equals("Event.ReceiveMessage"));
            JsonNode message = delivered.at("/result/message");
            assertThat(message.path("content_type").asInt()).isEqualTo(2);
            assertThat(message.path("content").asText()).isEqualTo(attachment.path("url").asText());
            assertThat(message.at("/attachment/id").asText()).isEqualTo(attachment.path("id").asText());
            assertThat(message.at("/attachment/width").asInt()).isEqualTo(8);
        }
        JsonNode history = JSON.readTree(node.rest("GET", "/api/v1/chats/" + chat + "/messages", "att-lee", null).body());
        assertThat(history.at("/messages/0/attachment/id").asText()).isEqualTo(attachment.path("id").asText());
    }

    @Test
    void deletingTheMessageThatCarriesAFileDeletesTheFile() throws Exception {
        String chat = node.createChat("att-max", "group", "att-ned");
        JsonNode attachment = JSON.readTree(upload("att-max", chat,
                Multipart.file("file", "doc.png", "image/png", TestImages.png(5, 5))).body()).path("attachment");
        String url = attachment.path("url").asText();
        try (WsClient max = node.connectTyped("att-max")) {
            max.json(Map.of("type", "new_message", "content", Map.of("chat_type", "project", "chat_id", chat,
                    "message", "the plan", "attachment_id", attachment.path("id").asText())));
            long messageId = max.await(m -> m.path("type").asText().equals("new_message")).at("/content/message_id")
                    .asLong();
            assertThat(download(url, "att-ned", Map.of()).statusCode()).isEqualTo(200);

            max.json(Map.of("type", "delete_message", "content", Map.of("chat_type", "project", "chat_id", chat,
                    "message_id", messageId)));
            JsonNode deleted = max.await(m -> m.path("type").asText().equals("delete_message"));
            assertThat(deleted.at("/content/attachment").isMissingNode()).isTrue();
        }
        assertThat(download(url, "att-ned", Map.of()).statusCode()).isEqualTo(404);
    }

    private HttpResponse<String> upload(String user, String chat, Multipart file) throws Exception {
        return http.send(HttpRequest.newBuilder(node.http("/api/v1/chats/" + chat + "/attachments"))
                .header("Authorization", "Bearer " + TestNode.token(user))
                .header("Content-Type", file.contentType())
                .POST(file.publisher()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> download(String url, String user, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(node.http(url))
                .header("Authorization", "Bearer " + TestNode.token(user));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** An upload's request line and headers, the body's framing given; its boundary is {@code xyz}. */
    private static byte[] uploadHead(String chat, String user, String framing) {
        return ("POST /api/v1/chats/" + chat + "/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Authorization: Bearer " + TestNode.token(user) + "\r\n"
                + "Content-Type: multipart/form-data; boundary=xyz\r\n"
                + framing + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static void writeChunk(OutputStream out, byte[] data) throws IOException {
        out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(data);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    private static void awaitNoUploadsActive() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (node.metric("parley_attachment_uploads_active") != 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(node.metric("parley_attachment_uploads_active")).isZero();
    }
}
