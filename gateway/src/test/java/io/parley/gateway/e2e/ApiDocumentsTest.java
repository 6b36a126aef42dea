package io.parley.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.parley.gateway.support.AsyncApiDoc;
import io.parley.gateway.support.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The served contracts: AsyncAPI 3 and OpenAPI 3.0 valid against their official JSON schemas (vendored in
 * test resources), AsyncAPI examples valid against their payloads.
 */
class ApiDocumentsTest {
    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void asyncApiIsValidAsyncApi3() throws Exception {
        HttpResponse<String> served = node.get("/asyncapi.yaml");
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).contains("yaml"));
        JsonNode doc = AsyncApiDoc.served(node).tree();
        JsonSchema official;
        try (InputStream in = getClass().getResourceAsStream("/asyncapi/asyncapi-3.0.0.schema.json")) {
            official = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
        }
        assertThat(official.validate(doc)).isEmpty();
        // Not vacuous: the official schema does refuse a broken document.
        com.fasterxml.jackson.databind.node.ObjectNode broken = doc.deepCopy();
        broken.remove("info");
        ((com.fasterxml.jackson.databind.node.ObjectNode) broken.path("channels").path("pair")).put("address", 42);
        assertThat(official.validate(broken)).isNotEmpty();
        assertThat(doc.path("asyncapi").asText()).isEqualTo("3.0.0");
        assertThat(doc.path("channels").size()).isEqualTo(5);
        for (String address : new String[] {"/ws", "/ws/chats/", "/api/v1/websocket/ws/{user_id}", "/chat/{chatId}",
                "/v1/chats/{chat_id}"}) {
            assertThat(doc.path("channels").toString()).contains("\"address\":\"" + address + "\"");
        }
    }

    @Test
    void everyExampleMatchesItsOwnPayloadSchema() {
        AsyncApiDoc doc = AsyncApiDoc.served(node);
        int checked = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.tree().at("/components/messages").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> message = it.next();
            for (JsonNode example : message.getValue().path("examples")) {
                assertThat(doc.violations(message.getKey(), example.path("payload")))
                        .as("%s example %s", message.getKey(), example.path("name").asText()).isEmpty();
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(20);
    }

    @Test
    void openApiIsValidOpenApi30() throws Exception {
        HttpResponse<String> served = node.get("/openapi.yaml");
        assertThat(served.statusCode()).isEqualTo(200);
        JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(served.body());
        // The document declares 3.0.x, so the 3.0 schema is the one that applies (3.1 is another schema).
        assertThat(doc.path("openapi").asText()).matches("3\\.0\\.\\d+");
        JsonSchema official;
        try (InputStream in = getClass().getResourceAsStream("/openapi/openapi-3.0.schema.json")) {
            official = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(in);
        }
        assertThat(official.validate(doc)).isEmpty();
        // Not vacuous: the official schema does refuse broken documents.
        com.fasterxml.jackson.databind.node.ObjectNode noInfo = doc.deepCopy();
        noInfo.remove("info");
        assertThat(official.validate(noInfo)).isNotEmpty();
        com.fasterxml.jackson.databind.node.ObjectNode noDescription = doc.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) noDescription.at("/paths/~1api~1v1~1chats/get/responses/200"))
                .remove("description"); // a response must say what it is
        assertThat(official.validate(noDescription)).isNotEmpty();
        com.fasterxml.jackson.databind.node.ObjectNode badParameter = doc.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) badParameter
                .at("/paths/~1api~1v1~1chats~1{chatId}~1messages/get/parameters/0")).put("in", "body"); // 2.0, not 3.0
        assertThat(official.validate(badParameter)).isNotEmpty();
    }

    /** The README links to the documents' sources (the files the node serves), and its relative links resolve. */
    @Test
    void readmeLinksToBothDocuments() throws Exception {
        java.nio.file.Path root = java.nio.file.Path.of("..").toAbsolutePath().normalize(); // surefire runs in gateway/
        String readme = java.nio.file.Files.readString(root.resolve("README.md"));
        for (String document : new String[] {"asyncapi.yaml", "openapi.yaml"}) {
            String link = "](gateway/src/main/resources/docs/" + document + ")";
            assertThat(readme).contains(link);
            assertThat(java.nio.file.Files.readString(root.resolve("gateway/src/main/resources/docs/" + document)))
                    .as("%s is the file the node serves", document).isEqualTo(node.get("/" + document).body());
            assertThat(readme).contains("http://localhost:8080/" + document);
        }
        java.util.regex.Matcher links = java.util.regex.Pattern.compile("\\]\\(([^)#\\s]+)[^)]*\\)").matcher(readme);
        int relative = 0;
        while (links.find()) {
            String target = links.group(1);
            if (target.contains("://") || target.startsWith("../")) {
                continue; // web addresses; the workspace's shared/ is outside the repository
            }
            assertThat(root.resolve(target)).as("README link %s", target).exists();
            relative++;
        }
        assertThat(relative).isGreaterThanOrEqualTo(3);
    }

    @Test
    void openApiIsServedAndNamesEveryRoute() throws Exception {
        HttpResponse<String> served = node.get("/openapi.yaml");
        assertThat(served.statusCode()).isEqualTo(200);
        JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(served.body());
        assertThat(doc.path("openapi").asText()).startsWith("3.");
        assertThat(doc.path("paths").has("/api/v1/chats")).isTrue();
        assertThat(doc.path("paths").has("/api/v1/chats/{chatId}/messages")).isTrue();
        assertThat(doc.path("paths").has("/api/v1/dev/tokens")).isTrue();
        assertThat(doc.path("paths").has("/api/v1/presence")).isTrue();
    }
}
