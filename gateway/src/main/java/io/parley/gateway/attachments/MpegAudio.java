package io.parley.gateway.attachments;

import java.nio.ByteBuffer;

/**
 * Recognises MP3 (MPEG audio Layer III): an ID3v2 tag, or a frame header followed, where its length
 * says, by another one. Eleven sync bits alone turn up in binary data too often; two frames in
 * step do not.
 */
final class MpegAudio {
    private static final int[] MPEG1_KBPS = {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320};
    private static final int[] MPEG2_KBPS = {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160};
    private static final int[] MPEG1_HZ = {44_100, 48_000, 32_000};

    private MpegAudio() {
    }

    static boolean isMp3(ByteBuffer prefix) {
        return hasId3Tag(prefix) || framesInStep(prefix);
    }

    /** "ID3", a version of 2 to 4, a revision, flags and a size in four 7-bit bytes. */
    private static boolean hasId3Tag(ByteBuffer prefix) {
        if (prefix.limit() < 10 || prefix.get(0) != 'I' || prefix.get(1) != 'D' || prefix.get(2) != '3') {
            return false;
        }
        int version = prefix.get(3);
        boolean sizeIsSyncSafe = ((prefix.get(6) | prefix.get(7) | prefix.get(8) | prefix.get(9)) & 0x80) == 0;
        return version >= 2 && version <= 4 && prefix.get(4) != (byte) 0xFF && sizeIsSyncSafe;
    }

    private static boolean framesInStep(ByteBuffer prefix) {
        int first = frameLength(prefix, 0);
        return first > 0 && frameLength(prefix, first) > 0
                && (prefix.get(1) & 0x18) == (prefix.get(first + 1) & 0x18) // the same MPEG version
                && (prefix.get(2) & 0x0C) == (prefix.get(first + 2) & 0x0C); // and sample rate
    }

    /** The length of the Layer III frame whose header is at {@code at}, or 0 if there is none. */
    private static int frameLength(ByteBuffer prefix, int at) {
        if (at + 4 > prefix.limit()) {
            return 0;
        }
        int b1 = prefix.get(at + 1) & 0xFF;
        int b2 = prefix.get(at + 2) & 0xFF;
        int version = b1 >> 3 & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5, 1: reserved
        int layer = b1 >> 1 & 3; // 1: Layer III
        int bitrate = b2 >> 4; // 0: free format, 15: invalid
        int sampleRate = b2 >> 2 & 3; // 3: reserved
        if ((prefix.get(at) & 0xFF) != 0xFF || (b1 & 0xE0) != 0xE0 || version == 1 || layer != 1
                || bitrate == 0 || bitrate == 15 || sampleRate == 3) {
            return 0;
        }
        int padding = b2 >> 1 & 1;
        if (version == 3) {
            return 144 * 1_000 * MPEG1_KBPS[bitrate] / MPEG1_HZ[sampleRate] + padding;
        }
        int hz = MPEG1_HZ[sampleRate] / (version == 2 ? 2 : 4);
        return 72 * 1_000 * MPEG2_KBPS[bitrate] / hz + padding;
    }
}
