package io.parley.gateway.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP as bytes on an {@code EmbeddedChannel} whose pipeline starts with {@code HttpServerCodec}:
 * write a request exactly as a client would send it, read back the response bytes the server
 * encoded and parse them (status line, headers, a {@code Content-Length} body).
 */
public final class RawHttp {
    private RawHttp() {
    }

    /** A parsed response. Header names are lower-cased. */
    public record Response(int status, Map<String, String> headers, byte[] bodyBytes) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public String body() {
            return new String(bodyBytes, StandardCharsets.UTF_8);
        }

        public JsonNode json() {
            try {
                return EmbeddedChannels.JSON.readTree(bodyBytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** {@code METHOD path HTTP/1.1} with {@code Host} and the given header lines ("Name: value"), no body. */
    public static String request(String method, String path, String... headerLines) {
        StringBuilder s = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: localhost\r\n");
        for (String line : headerLines) {
            s.append(line).append("\r\n");
        }
        return s.append("\r\n").toString();
    }

    /** A request with a body (Content-Length set). */
    public static String requestWithBody(String method, String path, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return method + ' ' + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + bytes.length + "\r\n\r\n" + body;
    }

    /** Writes the raw bytes into the channel as one tracked buffer. */
    public static void send(EmbeddedChannel channel, String raw) {
        channel.writeInbound(EmbeddedChannels.tracked(raw));
    }

    /** Reads the single response the channel has written; fails if there is none or more than one. */
    public static Response read(EmbeddedChannel channel) {
        List<Response> all = readAll(channel);
        assertThat(all).as("responses written").hasSize(1);
        return all.get(0);
    }

    /** Reads and parses every response written so far, releasing the buffers. */
    public static List<Response> readAll(EmbeddedChannel channel) {
        return parse(drainBytes(channel));
    }

    /** Every outbound byte written so far (the buffers are released). */
    public static byte[] drainBytes(EmbeddedChannel channel) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object m; (m = channel.readOutbound()) != null; ) {
            try {
                assertThat(m).as("outbound message").isInstanceOf(ByteBuf.class);
                ByteBuf buf = (ByteBuf) m;
                byte[] bytes = new byte[buf.readableBytes()];
                buf.getBytes(buf.readerIndex(), bytes);
                out.writeBytes(bytes);
            } finally {
                ReferenceCountUtil.release(m);
            }
        }
        return out.toByteArray();
    }

    static List<Response> parse(byte[] bytes) {
        List<Response> responses = new ArrayList<>();
        int pos = 0;
        while (pos < bytes.length) {
            int end = indexOf(bytes, pos, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(end).as("end of response headers in %s", new String(bytes, StandardCharsets.ISO_8859_1))
                    .isGreaterThanOrEqualTo(0);
            String head = new String(bytes, pos, end - pos, StandardCharsets.ISO_8859_1);
            String[] lines = head.split("\r\n");
            assertThat(lines[0]).startsWith("HTTP/1.1 ");
            int status = Integer.parseInt(lines[0].substring(9, 12));
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim(), (a, b) -> a + ", " + b);
            }
            pos = end + 4;
            int length = headers.containsKey("content-length") ? Integer.parseInt(headers.get("content-length")) : 0;
            assertThat(pos + length).as("body of %d bytes present", length).isLessThanOrEqualTo(bytes.length);
            responses.add(new Response(status, headers, Arrays.copyOfRange(bytes, pos, pos + length)));
            pos += length;
            if (status == 101) {
                assertThat(pos).as("nothing but frames follow a 101").isEqualTo(bytes.length);
            }
        }
        return responses;
    }

    private static int indexOf(byte[] haystack, int from, byte[] needle) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
