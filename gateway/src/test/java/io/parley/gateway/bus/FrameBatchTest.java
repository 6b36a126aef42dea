package io.parley.gateway.bus;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The length-prefixed container several bus frames share one publication in. */
class FrameBatchTest {

    @Test
    void concatenatedPrefixedFramesComeBackOneByOneInOrder() {
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        byte[] large = new byte[70_000]; // a length needing more than two bytes
        Arrays.fill(large, (byte) 'x');
        for (byte[] frame : List.of(utf8("{\"a\":1}"), new byte[0], large, utf8("é"))) {
            batch.writeBytes(PrefixedFrames.of(frame));
        }

        List<String> frames = new ArrayList<>();
        FrameBatch.forEach(batch.toByteArray(),
                s -> frames.add(new String(s.bytes(), s.offset(), s.length(), StandardCharsets.UTF_8)));

        assertThat(frames).containsExactly("{\"a\":1}", "", "x".repeat(70_000), "é");
    }

    @Test
    void aTruncatedOrForeignPayloadIsRefusedWithWhereItBroke() {
        byte[] whole = PrefixedFrames.of(utf8("{\"a\":1}"));
        assertThatThrownBy(() -> FrameBatch.forEach(Arrays.copyOf(whole, whole.length - 1), s -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overruns");
        assertThatThrownBy(() -> FrameBatch.forEach(utf8("{}"), s -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> FrameBatch.forEach(utf8("{\"type\":\"MessagePosted\"}"), s -> { }))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFrameWrittenBehindItsPrefixIsThePrefixedFrame() {
        byte[] large = new byte[70_000];
        Arrays.fill(large, (byte) 'y');
        FrameBatch.PrefixedOutput empty = new FrameBatch.PrefixedOutput();
        assertThat(empty.toPrefixed()).isEqualTo(PrefixedFrames.of(new byte[0]));

        FrameBatch.PrefixedOutput out = new FrameBatch.PrefixedOutput();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        out.write('{');
        expected.write('{');
        for (int i = 0; i < 20; i++) { // the way an encoder flushes: chunks, some past the array's room
            out.write(large, i, 8_000 - i);
            expected.write(large, i, 8_000 - i);
        }
        out.write(utf8("}"), 0, 1);
        expected.write('}');

        byte[] prefixed = out.toPrefixed();
        assertThat(prefixed).isEqualTo(PrefixedFrames.of(expected.toByteArray()));
        List<Integer> lengths = new ArrayList<>();
        FrameBatch.forEach(prefixed, s -> lengths.add(s.length()));
        assertThat(lengths).containsExactly(expected.size());
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
