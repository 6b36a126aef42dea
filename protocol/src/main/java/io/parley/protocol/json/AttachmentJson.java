package io.parley.protocol.json;

import com.fasterxml.jackson.core.JsonGenerator;
import io.parley.protocol.model.Attachment;

import java.io.IOException;

/**
 * The one JSON shape of an attachment in every dialect and in REST: {@code {"id", "url",
 * "media_type", "size", "width"?, "height"?, "name"?}}; the {@code pair} dialect spells its keys
 * in camelCase ({@code mediaType}) like the rest of its frames.
 */
public final class AttachmentJson {
    private AttachmentJson() {
    }

    /** Writes {@code "attachment": {...}} when the message has one. */
    public static void writeField(JsonGenerator gen, Attachment attachment, boolean camelCase) throws IOException {
        if (attachment == null) {
            return;
        }
        gen.writeObjectFieldStart("attachment");
        gen.writeStringField("id", attachment.id());
        gen.writeStringField("url", attachment.url());
        gen.writeStringField(camelCase ? "mediaType" : "media_type", attachment.mediaType());
        gen.writeNumberField("size", attachment.size());
        if (attachment.width() != null && attachment.height() != null) {
            gen.writeNumberField("width", attachment.width());
            gen.writeNumberField("height", attachment.height());
        }
        if (attachment.name() != null) {
            gen.writeStringField("name", attachment.name());
        }
        gen.writeEndObject();
    }
}
