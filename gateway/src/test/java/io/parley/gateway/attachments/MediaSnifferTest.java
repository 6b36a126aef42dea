package io.parley.gateway.attachments;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;

class MediaSnifferTest {
    private static final int MB = 1024 * 1024;
    private static final Sniffed OCTET_STREAM = Sniffed.of("application/octet-stream");

    @TempDir
    Path dir;

    @Test
    void imagesUnderMisleadingNamesAreKnownByTheirBytesWithTheirSize() throws IOException {
        assertThat(sniffed("photo.txt", encoded("png", 123, 45)))
                .isEqualTo(new Sniffed("image/png", 123, 45));
        assertThat(sniffed("cat.jpg", encoded("gif", 77, 33)))
                .isEqualTo(new Sniffed("image/gif", 77, 33));
        assertThat(sniffed("notes.pdf", encoded("jpeg", 64, 48)))
                .isEqualTo(new Sniffed("image/jpeg", 64, 48));
    }

    @Test
    void aJpegFrameHeaderBehindExifIsReachedByTheSegmentLengths() throws IOException {
        byte[] jpeg = encoded("jpeg", 321, 123);
        // EXIF larger than the prefix, holding what a scan for markers would take for a 1x1 frame header
        byte[] exif = new byte[3 * MediaSniffer.PREFIX_BYTES];
        System.arraycopy("Exif\0\0".getBytes(StandardCharsets.US_ASCII), 0, exif, 0, 6);
        for (int i = 8; i + 11 < exif.length; i += 64) {
            System.arraycopy(new byte[] {(byte) 0xFF, (byte) 0xC0, 0, 11, 8, 0, 1, 0, 1, 1, 1, 0x11}, 0, exif, i, 12);
        }
        byte[] withExif = concat(Arrays.copyOfRange(jpeg, 0, 2), segment(0xE1, exif),
                Arrays.copyOfRange(jpeg, 2, jpeg.length));

        assertThat(sniffed("photo.jpg", withExif)).isEqualTo(new Sniffed("image/jpeg", 321, 123));
    }

    @Test
    void jpegFillBytesAndStandaloneMarkersBeforeTheFrameHeaderAreSkipped() throws IOException {
        byte[] jpeg = concat(SOI, segment(0xE0, new byte[14]), new byte[] {(byte) 0xFF, (byte) 0xD0},
                new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, startOfFrame(0xC2, 800, 600), startOfScan());

        assertThat(sniffed("progressive.jpg", jpeg)).isEqualTo(new Sniffed("image/jpeg", 800, 600));
    }

    @Test
    void aJpegWithoutAReachableFrameHeaderIsNoImage() throws IOException {
        byte[] scanFirst = concat(SOI, segment(0xE0, new byte[14]), startOfScan(), startOfFrame(0xC0, 10, 10));
        byte[] endsInSegment = concat(SOI, segment(0xE1, new byte[100]), Arrays.copyOf(startOfFrame(0xC0, 10, 10), 5));
        byte[] zeroHeight = concat(SOI, startOfFrame(0xC0, 10, 0), startOfScan());

        assertThat(sniffed("a.jpg", scanFirst)).isEqualTo(OCTET_STREAM);
        assertThat(sniffed("b.jpg", endsInSegment)).isEqualTo(OCTET_STREAM);
        assertThat(sniffed("c.jpg", zeroHeight)).isEqualTo(OCTET_STREAM);
        assertThat(sniffed("d.jpg", SOI_AND_MARKER)).isEqualTo(OCTET_STREAM);
    }

    @Test
    void theJpegWalkStopsAfterItsBoundOfSegments() throws IOException {
        byte[] empty = segment(0xEE, new byte[0]);
        byte[] frame = startOfFrame(0xC0, 20, 10);
        byte[] withinBound = concat(SOI, repeat(empty, ImageHeaders.MAX_JPEG_SEGMENTS - 1), frame, startOfScan());
        byte[] pastBound = concat(SOI, repeat(empty, ImageHeaders.MAX_JPEG_SEGMENTS), frame, startOfScan());

        assertThat(sniffed("within.jpg", withinBound)).isEqualTo(new Sniffed("image/jpeg", 20, 10));
        assertThat(sniffed("past.jpg", pastBound)).isEqualTo(OCTET_STREAM);
    }

    @Test
    void webpSizesComeFromTheExtendedLosslessAndLossyHeaders() throws IOException {
        ByteBuffer vp8x = littleEndian(10).put((byte) 0x10).put(new byte[3]).put(uint24(3999)).put(uint24(2999));
        ByteBuffer vp8l = littleEndian(5).put((byte) 0x2F).putInt(299 | 199 << 14 | 1 << 28);
        // key frame tag, start code, then 14-bit sizes whose top two bits are a scale, not size
        ByteBuffer vp8 = littleEndian(10).put(new byte[] {0x10, 0x02, 0x00, (byte) 0x9D, 0x01, 0x2A})
                .putShort((short) (640 | 1 << 14)).putShort((short) (480 | 2 << 14));

        assertThat(sniffed("x.webp", webp("VP8X", vp8x))).isEqualTo(new Sniffed("image/webp", 4000, 3000));
        assertThat(sniffed("l.webp", webp("VP8L", vp8l))).isEqualTo(new Sniffed("image/webp", 300, 200));
        assertThat(sniffed("y.webp", webp("VP8 ", vp8))).isEqualTo(new Sniffed("image/webp", 640, 480));
    }

    @Test
    void anImageSignatureWithoutAReadableHeaderIsNoImage() throws IOException {
        byte[] png = encoded("png", 10, 10);
        byte[] gif = encoded("gif", 10, 10);
        byte[] pngBadCrc = png.clone();
        pngBadCrc[23] ^= 1; // the height: 11, not 10
        ByteBuffer vp8lVersion1 = littleEndian(5).put((byte) 0x2F).putInt(9 | 9 << 14 | 1 << 29);

        assertThat(sniffed("sig.png", Arrays.copyOf(png, 8))).isEqualTo(OCTET_STREAM);
        assertThat(sniffed("cut.png", Arrays.copyOf(png, 30))).isEqualTo(OCTET_STREAM);
        assertThat(sniffed("crc.png", pngBadCrc)).isEqualTo(OCTET_STREAM);
        assertThat(sniffed("cut.gif", Arrays.copyOf(gif, 9))).isEqualTo(OCTET_STREAM);
        assertThat(sniffed("cut.webp", Arrays.copyOf(webp("VP8X", littleEndian(10)), 24))).isEqualTo(OCTET_STREAM);
        assertThat(sniffed("v1.webp", webp("VP8L", vp8lVersion1))).isEqualTo(OCTET_STREAM);
        assertThat(sniffed("anim.webp", webp("ANIM", littleEndian(6)))).isEqualTo(OCTET_STREAM);
    }

    @Test
    void zeroOrAbsurdSizesAreNoImage() throws IOException {
        byte[] gifZeroWidth = encoded("gif", 10, 10);
        gifZeroWidth[6] = 0;
        gifZeroWidth[7] = 0;

        assertThat(sniffed("ok.png", pngHeader(1, ImageHeaders.MAX_SIDE)))
                .isEqualTo(new Sniffed("image/png", 1, ImageHeaders.MAX_SIDE));
        assertThat(sniffed("zero.png", pngHeader(0, 10))).isEqualTo(OCTET_STREAM);
        assertThat(sniffed("huge.png", pngHeader(ImageHeaders.MAX_SIDE + 1, 10))).isEqualTo(OCTET_STREAM);
        assertThat(sniffed("negative.png", pngHeader(-1, 10))).isEqualTo(OCTET_STREAM);
        assertThat(sniffed("zero.gif", gifZeroWidth)).isEqualTo(OCTET_STREAM);
        assertThat(sniffed("huge.webp", webp("VP8X", littleEndian(10).put(new byte[4]).put(uint24(99_999))
                .put(uint24(9))))).isEqualTo(OCTET_STREAM);
    }

    @Test
    void aScriptDisguisedAsAnImageIsMarkupWithoutASize() throws IOException {
        String script = "<script>alert(1)</script>";
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

        assertThat(sniffed("cat.png", utf8(script))).isEqualTo(Sniffed.of("text/html"));
        assertThat(sniffed("cat2.png", concat(bom, utf8(" \r\n\t" + script)))).isEqualTo(Sniffed.of("text/html"));
        assertThat(sniffed("cat3.png", utf8("\n  <SCRIPT>alert(1)</SCRIPT>"))).isEqualTo(Sniffed.of("text/html"));
        assertThat(sniffed("cat4.png", utf8("<svg onload=alert(1)>"))).isEqualTo(Sniffed.of("image/svg+xml"));
        assertThat(sniffed("cat5.gif", concat(bom, utf8("<svg/onload=alert(1)>"))))
                .isEqualTo(Sniffed.of("image/svg+xml"));
    }

    @Test
    void markupIsNamedAfterItsProlog() throws IOException {
        String svgWithProlog = """
                <?xml version="1.0" encoding="UTF-8" standalone="no"?>
                <!-- Created with Inkscape -->
                <!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
                <svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>
                """;
        String svgWithSubset = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"<b>\">]>"
                + "<svg:svg xmlns:svg=\"http://www.w3.org/2000/svg\"/>";

        assertThat(sniffText(svgWithProlog)).isEqualTo("image/svg+xml");
        assertThat(sniffText(svgWithSubset)).isEqualTo("image/svg+xml");
        assertThat(sniffText("<!DOCTYPE html><title>x</title>")).isEqualTo("text/html");
        assertThat(sniffText("<!doctype HTML>")).isEqualTo("text/html");
        assertThat(sniffText("<html><body>hi</body></html>")).isEqualTo("text/html");
        assertThat(sniffText("<HEAD><title>x")).isEqualTo("text/html");
        assertThat(sniffText("<body onload=alert(1)>")).isEqualTo("text/html");
        assertThat(sniffText("<iframe src=https://example.com>")).isEqualTo("text/html");
        assertThat(sniffText("<img src=x onerror=alert(1)>")).isEqualTo("text/html");
        assertThat(sniffText("<!-- a comment --> <p>")).isEqualTo("text/html");
        assertThat(sniffText("<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"/>"))
                .isEqualTo("text/html");
        assertThat(sniffText("<?xml version=\"1.0\"?>\n<rss version=\"2.0\"/>")).isEqualTo("application/xml");
        assertThat(sniffText("<!--" + "x".repeat(2 * MediaSniffer.PREFIX_BYTES) + "--><svg>")).isEqualTo("text/html");
    }

    @Test
    void textThatDoesNotOpenWithATagIsPlainText() throws IOException {
        assertThat(sniffText("Привет, мир! Hello, world.\nВторая строка\twith a tab.\n")).isEqualTo("text/plain");
        assertThat(sniffText("a < b and <script> later in the text")).isEqualTo("text/plain");
        assertThat(sniffText("\uFEFFс BOM")).isEqualTo("text/plain");
        assertThat(sniffText("< script>")).isEqualTo("text/plain");
    }

    @Test
    void textIsValidUtf8WithoutBinaryControlBytes() throws IOException {
        // the prefix ends inside a two-byte character: the file goes on, so that is no error
        String longText = "x" + "ж".repeat(MediaSniffer.PREFIX_BYTES);
        byte[] cutAtTheEnd = Arrays.copyOf(utf8("конец"), utf8("конец").length - 1);

        assertThat(sniffText(longText)).isEqualTo("text/plain");
        assertThat(sniffed("cut.txt", cutAtTheEnd)).isEqualTo(OCTET_STREAM);
        assertThat(sniffText("text\0with a NUL")).isEqualTo("application/octet-stream");
        assertThat(sniffText("text with a \u0007 bell")).isEqualTo("application/octet-stream");
        assertThat(sniffed("latin1.txt", "café".getBytes(StandardCharsets.ISO_8859_1))).isEqualTo(OCTET_STREAM);
    }

    @Test
    void randomBytesAndAnEmptyFileAreOctetStream() throws IOException {
        byte[] random = new byte[4096];
        new SplittableRandom(42).nextBytes(random);

        assertThat(sniffed("random.png", random)).isEqualTo(OCTET_STREAM);
        assertThat(sniffed("empty.txt", new byte[0])).isEqualTo(OCTET_STREAM);
    }

    @Test
    void documentsArchivesAndMediaAreKnownByTheirSignatures() throws IOException {
        // MPEG-1 Layer III at 128 kbit/s and 44.1 kHz: frames of 417 bytes
        byte[] mp3Frame = Arrays.copyOf(new byte[] {(byte) 0xFF, (byte) 0xFB, (byte) 0x90, 0x00}, 417);
        byte[] id3 = {'I', 'D', '3', 4, 0, 0, 0, 0, 0x10, 0x7F};

        assertThat(sniff("doc.png", utf8("%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n"))).isEqualTo("application/pdf");
        assertThat(sniff("a.txt", concat(new byte[] {'P', 'K', 3, 4, 20, 0}, new byte[40])))
                .isEqualTo("application/zip");
        assertThat(sniff("b.txt", concat(new byte[] {'P', 'K', 5, 6}, new byte[18]))).isEqualTo("application/zip");
        assertThat(sniff("movie.jpg", ftyp("isom"))).isEqualTo("video/mp4");
        assertThat(sniff("movie.mov", ftyp("qt  "))).isEqualTo("video/quicktime");
        assertThat(sniff("song.m4a", ftyp("M4A "))).isEqualTo("audio/mp4");
        assertThat(sniff("photo.heic", ftyp("heic"))).isEqualTo("application/octet-stream");
        assertThat(sniff("song.png", concat(id3, new byte[100]))).isEqualTo("audio/mpeg");
        assertThat(sniff("song2.png", concat(mp3Frame, mp3Frame, mp3Frame))).isEqualTo("audio/mpeg");
        assertThat(sniff("one.mp3", concat(mp3Frame, new byte[417]))).isEqualTo("application/octet-stream");
    }

    @Test
    void aLargeFileIsDecidedByItsBeginning(@TempDir Path large) throws IOException {
        // sparse: only the beginnings are written, the rest reads as zeros (NUL bytes, which text has not)
        Path text = large.resolve("big.txt");
        Files.write(text, utf8("Начало большого текста\n".repeat(MediaSniffer.PREFIX_BYTES / 16)));
        try (RandomAccessFile file = new RandomAccessFile(text.toFile(), "rw")) {
            file.setLength(50L * MB);
        }
        Path jpeg = large.resolve("big.jpg");
        byte[] fullSegmentHeader = {(byte) 0xFF, (byte) 0xE2, (byte) 0xFF, (byte) 0xFF};
        int metadataSegments = 40 * MB / 0xFFFF;
        try (RandomAccessFile file = new RandomAccessFile(jpeg.toFile(), "rw")) {
            file.write(SOI);
            for (int i = 0; i < metadataSegments; i++) {
                file.seek(2 + (long) i * (2 + 0xFFFF));
                file.write(fullSegmentHeader);
            }
            file.seek(2 + (long) metadataSegments * (2 + 0xFFFF));
            file.write(startOfFrame(0xC0, 4032, 3024));
            file.write(startOfScan());
            file.setLength(50L * MB);
        }

        assertThat(MediaSniffer.sniff(text)).isEqualTo(Sniffed.of("text/plain"));
        assertThat(MediaSniffer.sniff(jpeg)).isEqualTo(new Sniffed("image/jpeg", 4032, 3024));
    }

    private static final byte[] SOI = {(byte) 0xFF, (byte) 0xD8};
    private static final byte[] SOI_AND_MARKER = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};

    private Sniffed sniffed(String name, byte[] bytes) throws IOException {
        return MediaSniffer.sniff(write(name, bytes));
    }

    private String sniffText(String text) throws IOException {
        return sniff("upload.bin", utf8(text));
    }

    private String sniff(String name, byte[] bytes) throws IOException {
        Sniffed sniffed = sniffed(name, bytes);
        assertThat(sniffed.width()).as("width of %s", sniffed.mediaType()).isNull();
        return sniffed.mediaType();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    /** A real image in {@code format}, written by the JDK's encoder. */
    private static byte[] encoded(String format, int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(width / 2, height / 2, 0xFF8800);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, format, out)).as("a writer for " + format).isTrue();
        return out.toByteArray();
    }

    /** A PNG signature and an IHDR chunk with a correct CRC, stating any size. */
    private static byte[] pngHeader(int width, int height) {
        ByteBuffer png = ByteBuffer.allocate(33).put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})
                .putInt(13).put(ascii("IHDR")).putInt(width).putInt(height).put(new byte[] {8, 2, 0, 0, 0});
        CRC32 crc = new CRC32();
        crc.update(png.array(), 12, 17);
        return png.putInt((int) crc.getValue()).array();
    }

    /** A JPEG segment: marker, length (which counts itself), data. */
    private static byte[] segment(int marker, byte[] data) {
        return ByteBuffer.allocate(4 + data.length).put((byte) 0xFF).put((byte) marker)
                .putShort((short) (2 + data.length)).put(data).array();
    }

    private static byte[] startOfFrame(int marker, int width, int height) {
        byte[] oneComponent = {1, 0x11, 0};
        ByteBuffer frame = ByteBuffer.allocate(6 + oneComponent.length).put((byte) 8).putShort((short) height)
                .putShort((short) width).put((byte) 1).put(oneComponent);
        return segment(marker, frame.array());
    }

    private static byte[] startOfScan() {
        return concat(segment(0xDA, new byte[] {1, 1, 0, 0, 63, 0}), new byte[] {0x12, 0x34, (byte) 0xFF, (byte) 0xD9});
    }

    /** The data of a WebP chunk, little-endian as WebP is; {@link #webp} writes what was put. */
    private static ByteBuffer littleEndian(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] webp(String chunk, ByteBuffer data) {
        byte[] bytes = data.array();
        ByteBuffer file = ByteBuffer.allocate(20 + bytes.length).order(ByteOrder.LITTLE_ENDIAN);
        file.put(ascii("RIFF")).putInt(12 + bytes.length).put(ascii("WEBP"))
                .put(ascii(chunk)).putInt(bytes.length).put(bytes);
        return file.array();
    }

    private static byte[] uint24(int value) {
        return new byte[] {(byte) value, (byte) (value >> 8), (byte) (value >> 16)};
    }

    private static byte[] ftyp(String brand) {
        return ByteBuffer.allocate(64).putInt(24).put(ascii("ftyp")).put(ascii(brand)).putInt(0x200)
                .put(ascii(brand)).put(ascii("mp41")).array();
    }

    private static byte[] repeat(byte[] bytes, int times) {
        byte[][] copies = new byte[times][];
        Arrays.fill(copies, bytes);
        return concat(copies);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
