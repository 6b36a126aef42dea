package io.parley.gateway.attachments;

import java.nio.ByteBuffer;

/**
 * Tells whether an upload opens like markup, the content a browser would render and run scripts
 * in if it sniffed it: after an optional UTF-8 BOM and whitespace, a tag. Any tag counts, not only
 * the few a browser's sniffing looks for ({@code <html}, {@code <script}, ...): what browsers
 * render differs and grows, and calling text markup only costs it being served as a download.
 * The prolog (XML declaration, comments, doctype) is read through to name the kind: SVG, HTML or
 * other XML.
 */
final class Markup {
    static final String HTML = "text/html";
    static final String SVG = "image/svg+xml";
    static final String XML = "application/xml";

    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final int LONGEST_NAME = 64;

    private Markup() {
    }

    /** The markup type the prefix opens with, or {@code null} if it does not open with a tag. */
    static String mediaType(ByteBuffer prefix) {
        int at = skipWhitespace(prefix, MediaSniffer.startsWith(prefix, 0, UTF8_BOM) ? UTF8_BOM.length : 0);
        if (!opensTag(prefix, at)) {
            return null;
        }
        boolean xmlDeclared = false;
        while (true) {
            at = skipWhitespace(prefix, at);
            // a prolog that runs past the prefix, or is followed by anything but a tag, is still markup
            String undecided = xmlDeclared ? XML : HTML;
            if (at < 0 || !opensTag(prefix, at)) {
                return undecided;
            }
            if (startsWith(prefix, at, "<?")) {
                xmlDeclared |= startsWith(prefix, at, "<?xml");
                at = after(prefix, at + 2, "?>");
            } else if (startsWith(prefix, at, "<!--")) {
                at = after(prefix, at + 4, "-->");
            } else if (startsWith(prefix, at, "<!doctype")) {
                int nameAt = skipWhitespace(prefix, at + "<!doctype".length());
                String name = nameAt < 0 ? "" : name(prefix, nameAt);
                if (name.equalsIgnoreCase("html")) {
                    return HTML;
                }
                if (localName(name).equalsIgnoreCase("svg")) {
                    return SVG;
                }
                at = afterDoctype(prefix, nameAt);
            } else if (isLetter(prefix, at + 1)) {
                String root = localName(name(prefix, at + 1));
                if (root.equalsIgnoreCase("svg")) {
                    return SVG;
                }
                return xmlDeclared && !root.equalsIgnoreCase("html") ? XML : HTML;
            } else {
                return undecided; // an end tag, CDATA or another declaration
            }
        }
    }

    private static boolean opensTag(ByteBuffer prefix, int at) {
        if (at < 0 || at + 1 >= prefix.limit() || prefix.get(at) != '<') {
            return false;
        }
        byte next = prefix.get(at + 1);
        return isLetter(prefix, at + 1) || next == '!' || next == '?' || next == '/';
    }

    /** Past a doctype's closing {@code >}, and past its internal subset ({@code [...]}) if it has one. */
    private static int afterDoctype(ByteBuffer prefix, int at) {
        for (int i = at; i >= 0 && i < prefix.limit(); i++) {
            if (prefix.get(i) == '>') {
                return i + 1;
            }
            if (prefix.get(i) == '[') {
                return after(prefix, after(prefix, i + 1, "]"), ">");
            }
        }
        return -1;
    }

    /** The index after the first {@code text} at or after {@code from}; -1 if the prefix has none. */
    private static int after(ByteBuffer prefix, int from, String text) {
        for (int i = from; i >= 0 && i + text.length() <= prefix.limit(); i++) {
            if (startsWith(prefix, i, text)) {
                return i + text.length();
            }
        }
        return -1;
    }

    /** The index of the first byte at or after {@code from} that is no whitespace; -1 if there is none. */
    private static int skipWhitespace(ByteBuffer prefix, int from) {
        for (int i = from; i >= 0 && i < prefix.limit(); i++) {
            byte b = prefix.get(i);
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r' && b != '\f') {
                return i;
            }
        }
        return -1;
    }

    /** A tag or doctype name: letters, digits and {@code :-_.}, as far as the prefix goes. */
    private static String name(ByteBuffer prefix, int from) {
        StringBuilder name = new StringBuilder();
        for (int i = from; i < prefix.limit() && name.length() < LONGEST_NAME; i++) {
            char c = (char) (prefix.get(i) & 0xFF);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || ":-_.".indexOf(c) >= 0)) {
                break;
            }
            name.append(c);
        }
        return name.toString();
    }

    /** {@code svg} of {@code svg:svg}: an XML root may carry a namespace prefix. */
    private static String localName(String name) {
        return name.substring(name.lastIndexOf(':') + 1);
    }

    private static boolean isLetter(ByteBuffer prefix, int at) {
        if (at >= prefix.limit()) {
            return false;
        }
        int c = prefix.get(at) | 0x20;
        return c >= 'a' && c <= 'z';
    }

    /** Whether the prefix holds the ASCII {@code text} at {@code at}, letters in any case. */
    private static boolean startsWith(ByteBuffer prefix, int at, String text) {
        if (at < 0 || at + text.length() > prefix.limit()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char expected = text.charAt(i);
            int b = prefix.get(at + i);
            boolean letter = (expected | 0x20) >= 'a' && (expected | 0x20) <= 'z';
            if (letter ? (b | 0x20) != (expected | 0x20) : b != expected) {
                return false;
            }
        }
        return true;
    }
}
