package io.parley.gateway.attachments;

import java.util.Objects;

/**
 * What {@link MediaSniffer} made of an upload's bytes.
 *
 * @param mediaType the type to store and serve the upload as, without parameters
 * @param width     in pixels, for an image only; {@code null} otherwise
 * @param height    in pixels, for an image only; {@code null} otherwise
 */
public record Sniffed(String mediaType, Integer width, Integer height) {

    public Sniffed {
        Objects.requireNonNull(mediaType, "mediaType");
        if ((width == null) != (height == null) || width != null && (width < 1 || height < 1)) {
            throw new IllegalArgumentException("not a size: " + width + "x" + height);
        }
    }

    /** An upload that is no image. */
    static Sniffed of(String mediaType) {
        return new Sniffed(mediaType, null, null);
    }

    /** An image whose header gave its size. */
    static Sniffed image(String mediaType, int width, int height) {
        return new Sniffed(mediaType, width, height);
    }
}
