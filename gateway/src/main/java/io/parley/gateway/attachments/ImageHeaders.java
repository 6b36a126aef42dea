package io.parley.gateway.attachments;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32;

/**
 * Reads an image's width and height from its header, without decoding it. Each method answers
 * {@code null} when the header is cut short, malformed or states a size no real picture has: the
 * caller must then not serve the upload as an image.
 */
final class ImageHeaders {
    /**
     * The longest side taken as real: the most a JPEG or GIF can state. A PNG or WebP claiming more
     * is a decompression bomb rather than a picture for a chat.
     */
    static final int MAX_SIDE = 65_535;

    /**
     * How many JPEG segments the walk to the frame header passes at most: enough for metadata split
     * over many segments (ICC profiles, extended XMP), while a hostile file of tiny segments costs a
     * bounded number of reads.
     */
    static final int MAX_JPEG_SEGMENTS = 1_024;

    /** Read at each JPEG marker: the marker, fill bytes before it and a frame header's fields. */
    private static final int JPEG_MARKER_READ = 32;

    private static final byte[] PNG_IHDR = {0, 0, 0, 13, 'I', 'H', 'D', 'R'};

    private ImageHeaders() {
    }

    /** A PNG's size from its IHDR chunk, which must come first and carry a correct CRC. */
    static Sniffed png(ByteBuffer prefix) {
        int ihdrEnd = 8 + 4 + 4 + 13 + 4; // signature, length, type, data, CRC
        if (prefix.limit() < ihdrEnd || !MediaSniffer.startsWith(prefix, 8, PNG_IHDR)) {
            return null;
        }
        CRC32 crc = new CRC32();
        crc.update(prefix.duplicate().position(12).limit(12 + 4 + 13));
        if ((int) crc.getValue() != prefix.getInt(29)) {
            return null;
        }
        return sized("image/png", prefix.getInt(16), prefix.getInt(20));
    }

    /** A GIF's logical screen size, from the descriptor after the signature. */
    static Sniffed gif(ByteBuffer prefix) {
        if (prefix.limit() < 6 + 7) {
            return null;
        }
        ByteBuffer le = littleEndian(prefix);
        return sized("image/gif", Short.toUnsignedInt(le.getShort(6)), Short.toUnsignedInt(le.getShort(8)));
    }

    /** A WebP's size from its first chunk: lossy (VP8), lossless (VP8L) or extended (VP8X). */
    static Sniffed webp(ByteBuffer prefix) {
        if (prefix.limit() < 20) {
            return null;
        }
        ByteBuffer le = littleEndian(prefix);
        int chunk = prefix.getInt(12);
        int data = 20;
        if (chunk == fourCc("VP8 ") && prefix.limit() >= data + 10) {
            // a key frame (bit 0 clear) carries a start code and the 14-bit width and height
            boolean keyFrame = (prefix.get(data) & 1) == 0;
            boolean startCode = (prefix.get(data + 3) & 0xFF) == 0x9D && (prefix.get(data + 4) & 0xFF) == 0x01
                    && (prefix.get(data + 5) & 0xFF) == 0x2A;
            if (keyFrame && startCode) {
                return sized("image/webp", le.getShort(data + 6) & 0x3FFF, le.getShort(data + 8) & 0x3FFF);
            }
        } else if (chunk == fourCc("VP8L") && prefix.limit() >= data + 5 && prefix.get(data) == 0x2F) {
            int bits = le.getInt(data + 1);
            if (bits >>> 29 == 0) { // the version, 0 is the only one
                return sized("image/webp", (bits & 0x3FFF) + 1, (bits >>> 14 & 0x3FFF) + 1);
            }
        } else if (chunk == fourCc("VP8X") && prefix.limit() >= data + 10 && le.getInt(16) >= 10) {
            return sized("image/webp", unsigned24(prefix, data + 4) + 1, unsigned24(prefix, data + 7) + 1);
        }
        return null;
    }

    /**
     * A JPEG's size from its first frame header (SOFn), reached by walking the segments that come
     * before it by their lengths: APPn metadata such as EXIF may put it far into the file. The
     * channel is read at the markers only. {@code null} if the walk meets the scan, the end of the
     * image or the file, anything that is no marker, or {@link #MAX_JPEG_SEGMENTS} first.
     */
    static Sniffed jpeg(FileChannel file) throws IOException {
        long position = 2; // after SOI
        ByteBuffer read = ByteBuffer.allocate(JPEG_MARKER_READ);
        for (int segment = 0; segment < MAX_JPEG_SEGMENTS; segment++) {
            read.clear();
            int n = MediaSniffer.readAt(file, position, read);
            int at = 0;
            while (at < n && (read.get(at) & 0xFF) == 0xFF) {
                at++; // the marker's 0xFF and any fill bytes before it
            }
            if (at == 0 || at >= n) {
                return null;
            }
            int marker = read.get(at++) & 0xFF;
            if (marker == 0x01 || marker >= 0xD0 && marker <= 0xD7) {
                position += at; // TEM and RSTn stand alone, no length
                continue;
            }
            if (marker == 0x00 || marker == 0xD8 || marker == 0xD9 || marker == 0xDA || at + 2 > n) {
                return null; // no marker, a second SOI, EOI or the scan: no frame header before it
            }
            int length = Short.toUnsignedInt(read.getShort(at));
            if (length < 2) {
                return null;
            }
            if (isStartOfFrame(marker)) {
                // length, sample precision, then height and width
                return length < 8 || at + 7 > n ? null
                        : sized("image/jpeg", Short.toUnsignedInt(read.getShort(at + 5)),
                                Short.toUnsignedInt(read.getShort(at + 3)));
            }
            position += at + length;
        }
        return null;
    }

    /** SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    /** The image, if its size is one a picture has (a zero height in a JPEG, set later by DNL, is not taken). */
    private static Sniffed sized(String mediaType, int width, int height) {
        boolean plausible = width >= 1 && width <= MAX_SIDE && height >= 1 && height <= MAX_SIDE;
        return plausible ? Sniffed.image(mediaType, width, height) : null;
    }

    private static int fourCc(String code) {
        return code.charAt(0) << 24 | code.charAt(1) << 16 | code.charAt(2) << 8 | code.charAt(3);
    }

    private static ByteBuffer littleEndian(ByteBuffer prefix) {
        return prefix.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The little-endian 24-bit number at {@code at}. */
    private static int unsigned24(ByteBuffer bytes, int at) {
        return (bytes.get(at) & 0xFF) | (bytes.get(at + 1) & 0xFF) << 8 | (bytes.get(at + 2) & 0xFF) << 16;
    }
}
