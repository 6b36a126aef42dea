package io.parley.gateway.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The AsyncAPI document as a node serves it, with the checks the tests need: its message
 * examples, and validation of any frame against a message's documented payload schema.
 */
public final class AsyncApiDoc {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final JsonNode doc;

    private AsyncApiDoc(JsonNode doc) {
        this.doc = doc;
    }

    /** Fetches {@code /asyncapi.yaml} from the node. */
    public static AsyncApiDoc served(TestNode node) {
        try {
            return new AsyncApiDoc(YAML.readTree(node.get("/asyncapi.yaml").body()));
        } catch (Exception e) {
            throw new AssertionError("cannot read /asyncapi.yaml", e);
        }
    }

    public JsonNode tree() {
        return doc;
    }

    /** The payloads of a message's examples ({@code components.messages.<key>.examples}). */
    public List<JsonNode> examples(String messageKey) {
        List<JsonNode> payloads = new ArrayList<>();
        doc.at("/components/messages/" + messageKey + "/examples").forEach(e -> payloads.add(e.path("payload")));
        if (payloads.isEmpty()) {
            throw new AssertionError("no examples for message " + messageKey);
        }
        return payloads;
    }

    /** The first example's payload, as a mutable copy. */
    public ObjectNode example(String messageKey, String name) {
        for (JsonNode e : doc.at("/components/messages/" + messageKey + "/examples")) {
            if (name.equals(e.path("name").asText())) {
                return e.path("payload").deepCopy();
            }
        }
        throw new AssertionError("no example " + name + " for " + messageKey);
    }

    /** Problems of {@code frame} against the message's payload schema; empty when it conforms. */
    public Set<ValidationMessage> violations(String messageKey, JsonNode frame) {
        ObjectNode root = doc.deepCopy();
        root.put("$schema", "http://json-schema.org/draft-07/schema#");
        root.put("$ref", "#/components/messages/" + messageKey + "/payload");
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(root);
        return schema.validate(frame);
    }
}
