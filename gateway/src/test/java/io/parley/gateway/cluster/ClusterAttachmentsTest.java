package io.parley.gateway.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.gateway.support.Multipart;
import io.parley.gateway.support.TestImages;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.TestS3;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static io.parley.gateway.config.Settings.ATTACHMENT_STORE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes sharing one S3-compatible store (a real one, in process): a file uploaded on one node
 * travels with its message to a member on the other and is downloaded there (a redirect to a
 * presigned URL); deleting the message on the other node makes it gone on the first.
 */
class ClusterAttachmentsTest {
    private static final TestS3 S3 = startS3();

    @RegisterExtension
    static final ClusterFixture cluster = ClusterFixture.perClass(2, b -> b.set(ATTACHMENT_STORE, S3.url("chat-files")));

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient(); // follows no redirects

    /** The nodes run in this JVM: the SDK's default chain reads the keys from system properties. */
    private static TestS3 startS3() {
        TestS3 s3 = TestS3.start();
        System.setProperty("aws.accessKeyId", s3.accessKey());
        System.setProperty("aws.secretAccessKey", s3.secretKey());
        return s3;
    }

    @AfterAll
    static void stopS3() {
        S3.close();
    }

    @Test
    void aFileUploadedOnOneNodeIsSentAndDownloadedOnTheOther() throws Exception {
        TestNode one = cluster.node(0);
        TestNode two = cluster.node(1);
        String chat = one.createChat("s3-ann", "group", "s3-bob");
        byte[] png = TestImages.png(32, 16);
        Multipart file = Multipart.file("file", "map.png", "image/png", png);
        HttpResponse<String> uploaded = http.send(HttpRequest.newBuilder(one.http("/api/v1/chats/" + chat + "/attachments"))
                .header("Authorization", "Bearer " + TestNode.token("s3-ann"))
                .header("Content-Type", file.contentType()).POST(file.publisher()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
        JsonNode attachment = JSON.readTree(uploaded.body()).path("attachment");
        String id = attachment.path("id").asText();
        assertThat(S3.hasObject("chat-files/" + id)).isTrue();

        long messageId;
        try (WsClient ann = one.connectTyped("s3-ann"); WsClient bob = two.connectTyped("s3-bob")) {
            two.awaitOnline("s3-bob");
            ann.json(Map.of("type", "new_message", "content", Map.of("chat_type", "project", "chat_id", chat,
                    "message", "the route", "attachment_id", id)));
            JsonNode delivered = bob.await(m -> m.path("type").asText().equals("new_message"));
            assertThat(delivered.at("/content/attachment/id").asText()).isEqualTo(id);
            assertThat(delivered.at("/content/attachment/width").asInt()).isEqualTo(32);
            messageId = delivered.at("/content/message_id").asLong();
        }

        HttpResponse<String> redirect = download(two, attachment.path("url").asText(), "s3-bob");
        assertThat(redirect.statusCode()).isEqualTo(302);
        HttpResponse<byte[]> bytes = http.send(HttpRequest.newBuilder(URI.create(
                redirect.headers().firstValue("location").orElseThrow())).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(bytes.statusCode()).isEqualTo(200);
        assertThat(bytes.body()).isEqualTo(png);
        assertThat(bytes.headers().firstValue("content-type")).contains("image/png");
        assertThat(download(two, attachment.path("url").asText(), "s3-eve").statusCode()).isEqualTo(403);

        try (WsClient ann = two.connectTyped("s3-ann")) {
            ann.json(Map.of("type", "delete_message", "content", Map.of("chat_type", "project", "chat_id", chat,
                    "message_id", messageId)));
            ann.await(m -> m.path("type").asText().equals("delete_message"));
        }
        assertThat(download(one, attachment.path("url").asText(), "s3-bob").statusCode()).isEqualTo(404);
    }

    private HttpResponse<String> download(TestNode node, String url, String user) throws Exception {
        return http.send(HttpRequest.newBuilder(node.http(url)).header("Authorization", "Bearer " + TestNode.token(user))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
