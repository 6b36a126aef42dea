package io.parley.gateway.attachments;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * Decides an upload's media type from its bytes, never from the client's Content-Type or file
 * name, and reads an image's width and height from its header. It reads a bounded prefix of the
 * file, and for a JPEG a few bytes at each segment marker up to the frame header: uploads may be
 * large, and the answer must not cost reading them. Blocks: call off the event loop.
 *
 * <p>The rules, first match wins:
 * <ul>
 * <li>An empty file is {@code application/octet-stream}: there is nothing to show.</li>
 * <li>PNG, JPEG, GIF and WebP by their signatures, with the size from the header. A file with an
 *     image's signature whose header cannot be read, is cut short or states a zero or absurd size
 *     is {@code application/octet-stream}: what claims to be an image but is none must not be
 *     served as one. So an image type always comes with a width and a height; a JPEG counts only
 *     once its frame header (SOFn) is found.</li>
 * <li>{@code application/pdf} ({@code %PDF-}), {@code application/zip} (a local file header or an
 *     empty archive; also DOCX, JAR, ...), ISO media by its {@code ftyp} box: {@code video/mp4},
 *     {@code video/quicktime}, {@code audio/mp4}, while HEIF and AVIF images are
 *     {@code application/octet-stream} (their size is not read), and {@code audio/mpeg} (see
 *     {@code MpegAudio}).</li>
 * <li>Markup, the content a browser would render and run scripts in: {@code image/svg+xml},
 *     {@code text/html} or {@code application/xml} (see {@code Markup}), whether or not the rest
 *     is valid text. Never serve these inline from the chat's origin.</li>
 * <li>{@code text/plain} when the prefix is valid UTF-8 (a BOM allowed) without the control bytes
 *     that mark binary data: NUL and the other C0 controls but tab, line feed, form feed, carriage
 *     return and escape.</li>
 * <li>{@code application/octet-stream} otherwise.</li>
 * </ul>
 * Serve every type with {@code X-Content-Type-Options: nosniff}, so that a browser keeps to it.
 */
public final class MediaSniffer {
    /** How much of a file the decision reads, JPEG segments aside: enough for a markup prolog. */
    static final int PREFIX_BYTES = 8_192;

    static final String OCTET_STREAM = "application/octet-stream";

    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};
    private static final byte[] GIF87A = {'G', 'I', 'F', '8', '7', 'a'};
    private static final byte[] GIF89A = {'G', 'I', 'F', '8', '9', 'a'};
    private static final byte[] RIFF = {'R', 'I', 'F', 'F'};
    private static final byte[] WEBP = {'W', 'E', 'B', 'P'};
    private static final byte[] PDF = {'%', 'P', 'D', 'F', '-'};
    private static final byte[] ZIP_ENTRY = {'P', 'K', 3, 4};
    private static final byte[] ZIP_EMPTY = {'P', 'K', 5, 6};
    private static final byte[] FTYP = {'f', 't', 'y', 'p'};
    /** ISO media brands of still images (HEIF, AVIF), which are no video. */
    private static final Set<String> IMAGE_BRANDS = Set.of("avif", "avis", "heic", "heix", "heim", "heis", "hevc",
            "hevx", "hevm", "hevs", "mif1", "msf1");

    private MediaSniffer() {
    }

    /** What the file holds, by the rules of the class comment. */
    public static Sniffed sniff(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer read = ByteBuffer.allocate(PREFIX_BYTES);
            int length = readAt(channel, 0, read);
            ByteBuffer prefix = read.flip().asReadOnlyBuffer();
            return sniff(channel, prefix, channel.size() <= length);
        }
    }

    private static Sniffed sniff(FileChannel file, ByteBuffer prefix, boolean wholeFile) throws IOException {
        if (prefix.limit() == 0) {
            return Sniffed.of(OCTET_STREAM);
        }
        if (startsWith(prefix, 0, PNG)) {
            return orOctetStream(ImageHeaders.png(prefix));
        }
        if (startsWith(prefix, 0, JPEG)) {
            return orOctetStream(ImageHeaders.jpeg(file));
        }
        if (startsWith(prefix, 0, GIF87A) || startsWith(prefix, 0, GIF89A)) {
            return orOctetStream(ImageHeaders.gif(prefix));
        }
        if (startsWith(prefix, 0, RIFF) && startsWith(prefix, 8, WEBP)) {
            return orOctetStream(ImageHeaders.webp(prefix));
        }
        if (startsWith(prefix, 0, PDF)) {
            return Sniffed.of("application/pdf");
        }
        if (startsWith(prefix, 0, ZIP_ENTRY) || startsWith(prefix, 0, ZIP_EMPTY)) {
            return Sniffed.of("application/zip");
        }
        if (startsWith(prefix, 4, FTYP) && prefix.limit() >= 12 && prefix.getInt(0) >= 12) {
            return Sniffed.of(isoMediaType(prefix));
        }
        if (MpegAudio.isMp3(prefix)) {
            return Sniffed.of("audio/mpeg");
        }
        String markup = Markup.mediaType(prefix);
        if (markup != null) {
            return Sniffed.of(markup);
        }
        return Sniffed.of(isText(prefix, wholeFile) ? "text/plain" : OCTET_STREAM);
    }

    /** By the major brand of the {@code ftyp} box. */
    private static String isoMediaType(ByteBuffer prefix) {
        char[] brand = new char[4];
        for (int i = 0; i < brand.length; i++) {
            brand[i] = (char) (prefix.get(8 + i) & 0xFF);
        }
        String major = new String(brand);
        if (IMAGE_BRANDS.contains(major)) {
            return OCTET_STREAM;
        }
        return switch (major) {
            case "qt  " -> "video/quicktime";
            case "M4A ", "M4B " -> "audio/mp4";
            default -> "video/mp4";
        };
    }

    /**
     * Valid UTF-8 without binary control bytes. A sequence cut by the end of the prefix counts as
     * valid unless the prefix is the whole file.
     */
    private static boolean isText(ByteBuffer prefix, boolean wholeFile) {
        for (int i = 0; i < prefix.limit(); i++) {
            int b = prefix.get(i);
            if (b >= 0 && b < 0x20 && b != '\t' && b != '\n' && b != '\f' && b != '\r' && b != 0x1B) {
                return false;
            }
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer chars = CharBuffer.allocate(prefix.limit());
        return !utf8.decode(prefix.duplicate(), chars, wholeFile).isError();
    }

    private static Sniffed orOctetStream(Sniffed image) {
        return image != null ? image : Sniffed.of(OCTET_STREAM);
    }

    /** Whether the prefix holds {@code expected} at {@code offset}. */
    static boolean startsWith(ByteBuffer prefix, int offset, byte[] expected) {
        if (prefix.limit() < offset + expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (prefix.get(offset + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads from {@code position} until {@code into} is full or the file ends.
     *
     * @return how many bytes were read
     */
    static int readAt(FileChannel file, long position, ByteBuffer into) throws IOException {
        int total = 0;
        while (into.hasRemaining()) { // a short read is not the end of the file
            int read = file.read(into, position + total);
            if (read < 0) {
                break;
            }
            total += read;
        }
        return total;
    }
}
