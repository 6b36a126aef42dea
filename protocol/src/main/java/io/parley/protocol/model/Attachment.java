package io.parley.protocol.model;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A file uploaded to a chat and referenced by messages. Immutable once uploaded: a message keeps
 * a copy of it, so history shows it without another lookup.
 *
 * @param id        opaque, URL-safe
 * @param mediaType decided from the file's bytes, never from what the client said
 * @param size      bytes
 * @param width     pixels, for an image whose header could be read; else {@code null}
 * @param height    pixels, likewise
 * @param name      the file name the uploader gave (shown, never used as a path), or {@code null}
 */
public record Attachment(String id, String mediaType, long size, Integer width, Integer height, String name) {
    /** Downloads are {@code URL_PREFIX + id} on any node. */
    public static final String URL_PREFIX = "/api/v1/attachments/";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public Attachment {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(mediaType, "mediaType");
        if (!validId(id)) {
            throw new IllegalArgumentException("attachment id must match " + ID.pattern());
        }
    }

    /** Where members download it, relative to the node's address. */
    public String url() {
        return URL_PREFIX + id;
    }

    public boolean image() {
        return mediaType.startsWith("image/");
    }

    public static boolean validId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /**
     * The attachment id in one of Parley's download URLs, relative ({@code /api/v1/attachments/{id}})
     * or absolute on any host; {@code null} for any other URL.
     */
    public static String idInUrl(String url) {
        String path = url;
        int scheme = url.indexOf("://");
        if (scheme > 0) {
            int slash = url.indexOf('/', scheme + 3);
            path = slash < 0 ? "" : url.substring(slash);
        }
        if (!path.startsWith(URL_PREFIX)) {
            return null;
        }
        String id = path.substring(URL_PREFIX.length());
        return validId(id) ? id : null;
    }
}
