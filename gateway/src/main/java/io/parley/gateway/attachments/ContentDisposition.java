package io.parley.gateway.attachments;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The {@code Content-Disposition} of a download (RFC 6266): {@code inline} for pictures a browser
 * may show, {@code attachment} for everything else, with the file name both as a plain ASCII
 * {@code filename} and exactly as {@code filename*=UTF-8''...} (RFC 8187).
 */
public final class ContentDisposition {
    private static final String HEX = "0123456789ABCDEF";

    private ContentDisposition() {
    }

    /** The header value for a download of {@code fileName} (may be null) of {@code mediaType}. */
    public static String of(String mediaType, String fileName) {
        String type = isInline(mediaType) ? "inline" : "attachment";
        String name = fileName == null ? "" : safeName(fileName);
        if (name.isEmpty()) {
            return type;
        }
        return type + "; filename=\"" + asciiFallback(name) + "\"; filename*=UTF-8''" + encoded(name);
    }

    /**
     * Raster images only: SVG is an image that can carry scripts, so it is saved, never shown.
     */
    public static boolean isInline(String mediaType) {
        if (mediaType == null) {
            return false;
        }
        String essence = mediaType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return essence.startsWith("image/") && !essence.startsWith("image/svg");
    }

    /** Without control characters (no header splitting) or path separators (no directories). */
    private static String safeName(String fileName) {
        StringBuilder out = new StringBuilder(fileName.length());
        fileName.codePoints().forEach(c -> {
            if (c == '/' || c == '\\') {
                out.append('_');
            } else if (!Character.isISOControl(c)) {
                out.appendCodePoint(c);
            }
        });
        return out.toString().strip();
    }

    /**
     * For clients without RFC 8187: printable ASCII, other characters as {@code _}; no quote (it
     * would end the value) and no {@code %} (some browsers decode it, RFC 6266 appendix D).
     */
    private static String asciiFallback(String name) {
        StringBuilder out = new StringBuilder(name.length());
        name.codePoints().forEach(c -> out.append(c >= 0x20 && c < 0x7f && c != '"' && c != '%' ? (char) c : '_'));
        return out.toString();
    }

    /** RFC 8187 {@code value-chars}: attr-chars as they are, every other UTF-8 byte as %XX. */
    private static String encoded(String name) {
        StringBuilder out = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (isAttrChar(c)) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xf));
            }
        }
        return out.toString();
    }

    private static boolean isAttrChar(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || "!#$&+-.^_`|~".indexOf(c) >= 0;
    }
}
