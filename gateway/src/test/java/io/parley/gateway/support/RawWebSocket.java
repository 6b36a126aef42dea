package io.parley.gateway.support;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A deliberately low-level WebSocket client over a plain socket, for what well-behaved clients
 * refuse to send: invalid UTF-8, raw opcodes, odd close frames. Frames are masked as RFC 6455
 * requires of clients.
 */
public final class RawWebSocket implements AutoCloseable {
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final SecureRandom random = new SecureRandom();
    private String handshakeResponse = "";

    /** A received frame ({@code rsv1}: compressed with permessage-deflate). */
    public record Frame(int opcode, byte[] payload, boolean rsv1) {
        public Frame(int opcode, byte[] payload) {
            this(opcode, payload, false);
        }

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** Status code of a close frame, or -1 when it has none. */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        }
    }

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.socket.setSoTimeout(10_000);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Opens and upgrades; fails unless the server answers 101. */
    public static RawWebSocket connect(int port, String pathAndQuery, String token) throws IOException {
        return connect(port, pathAndQuery, token, "");
    }

    /** Opens and upgrades with extra request header lines (each ending in CRLF). */
    public static RawWebSocket connect(int port, String pathAndQuery, String token, String extraHeaders)
            throws IOException {
        return connect(new Socket("127.0.0.1", port), port, pathAndQuery, token, extraHeaders);
    }

    /** Upgrades an already connected socket (e.g. one with a tiny receive buffer). */
    public static RawWebSocket connect(Socket socket, int port, String pathAndQuery, String token, String extraHeaders)
            throws IOException {
        RawWebSocket ws = new RawWebSocket(socket);
        byte[] key = new byte[16];
        ws.random.nextBytes(key);
        String request = "GET " + pathAndQuery + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: access_token, " + token + "\r\n" + extraHeaders + "\r\n";
        ws.out.write(request.getBytes(StandardCharsets.US_ASCII));
        ws.out.flush();
        String status = ws.readHeaders();
        if (!status.startsWith("HTTP/1.1 101")) {
            ws.close();
            throw new IOException("handshake refused: " + status);
        }
        return ws;
    }

    private String readHeaders() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed during handshake");
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        handshakeResponse = text;
        return text.substring(0, text.indexOf("\r\n"));
    }

    public void sendFrame(int opcode, byte[] payload) throws IOException {
        sendFrame(true, opcode, payload);
    }

    /** The server's handshake response: status line and headers. */
    public String handshakeResponse() {
        return handshakeResponse;
    }

    public void sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
        sendFrame(fin, false, opcode, payload);
    }

    /** {@code rsv1} marks a permessage-deflate compressed message. */
    public void sendFrame(boolean fin, boolean rsv1, int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
        int length = payload.length;
        if (length < 126) {
            frame.write(0x80 | length);
        } else if (length < 65536) {
            frame.write(0x80 | 126);
            frame.write(length >>> 8);
            frame.write(length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) (((long) length >>> shift) & 0xff));
            }
        }
        byte[] mask = new byte[4];
        random.nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    public void sendText(String text) throws IOException {
        sendFrame(TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads the next frame from the server, or null when the connection ended. */
    public Frame readFrame() throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            return null;
        }
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Frame(b0 & 0x0f, payload, (b0 & 0x40) != 0);
    }

    /** Reads frames until a close frame arrives; returns it (or null if the socket just ended). */
    public Frame readUntilClose() throws IOException {
        Frame frame;
        do {
            frame = readFrame();
        } while (frame != null && frame.opcode() != CLOSE);
        return frame;
    }

    /** True once the server has closed the TCP connection. */
    public boolean serverClosed() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    public InputStream input() {
        return in;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
