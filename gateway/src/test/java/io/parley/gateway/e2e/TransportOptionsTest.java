package io.parley.gateway.e2e;

import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.parley.gateway.support.RawWebSocket;
import io.parley.gateway.support.TestNode;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import static io.parley.gateway.config.Settings.PERMESSAGE_DEFLATE;
import static io.parley.gateway.config.Settings.TLS_CERT_FILE;
import static io.parley.gateway.config.Settings.TLS_KEY_FILE;
import static org.assertj.core.api.Assertions.assertThat;

/** wss on the node itself (self-signed certificate made here), and permessage-deflate only when configured. */
class TransportOptionsTest {

    @Test
    void wssWithAPemCertificateAndKey() throws Exception {
        SelfSignedCertificate cert = new SelfSignedCertificate("localhost");
        try (TestNode node = TestNode.start(b -> b.set(TLS_CERT_FILE, cert.certificate().toPath()).set(TLS_KEY_FILE, cert.privateKey().toPath()))) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("parley", cert.cert());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            HttpClient client = HttpClient.newBuilder().sslContext(ssl).build();

            HttpResponse<String> health = client.send(HttpRequest.newBuilder(
                    URI.create("https://localhost:" + node.port() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);

            CompletableFuture<String> reply = new CompletableFuture<>();
            WebSocket ws = client.newWebSocketBuilder().subprotocols("access_token", TestNode.token("tls1"))
                    .buildAsync(URI.create("wss://localhost:" + node.port() + "/ws?sid=tls1"), new WebSocket.Listener() {
                        @Override
                        public java.util.concurrent.CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                            reply.complete(data.toString());
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            assertThat(ws.getSubprotocol()).isEqualTo("access_token");
            ws.sendText("{\"name\":\"Event.GetUnreadInfo\",\"args\":{\"user_id\":\"tls1\"}}", true);
            assertThat(reply.get(10, TimeUnit.SECONDS)).contains("\"ok\":true");
            ws.abort();

            // Plain HTTP on the TLS port is not served.
            assertThat(plainStatusLine(node.port())).doesNotStartWith("HTTP/1.1 200");
        } finally {
            cert.delete();
        }
    }

    private static String plainStatusLine(int port) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(3000);
            s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readNBytes(16), StandardCharsets.ISO_8859_1);
        } catch (java.io.IOException e) {
            return "closed: " + e;
        }
    }

    private static final String OFFER = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";

    @Test
    void permessageDeflateIsNotOfferedByDefault() throws Exception {
        try (TestNode node = TestNode.start();
             RawWebSocket raw = RawWebSocket.connect(node.port(), "/ws?sid=d0", TestNode.token("d0"), OFFER)) {
            assertThat(raw.handshakeResponse().toLowerCase()).doesNotContain("permessage-deflate");
        }
    }

    @Test
    void permessageDeflateWhenConfigured() throws Exception {
        try (TestNode node = TestNode.start(b -> b.set(PERMESSAGE_DEFLATE, true));
             RawWebSocket raw = RawWebSocket.connect(node.port(), "/ws?sid=d1", TestNode.token("d1"), OFFER)) {
            String accepted = raw.handshakeResponse().toLowerCase();
            assertThat(accepted).contains("sec-websocket-extensions: permessage-deflate");

            raw.sendFrame(true, true, RawWebSocket.TEXT,
                    deflate("{\"name\":\"Event.GetUnreadInfo\",\"args\":{\"user_id\":\"d1\"}}"));
            RawWebSocket.Frame reply = raw.readFrame();
            String text = reply.rsv1() ? inflate(reply.payload()) : reply.text();
            assertThat(text).contains("\"name\":\"Event.GetUnreadInfo\"").contains("\"ok\":true");

            // A compressed message that inflates past max_frame_bytes is refused, not buffered.
            raw.sendFrame(true, true, RawWebSocket.TEXT, deflate("[" + "0,".repeat(200_000) + "0]"));
            RawWebSocket.Frame close = raw.readUntilClose();
            assertThat(close).isNotNull();
            assertThat(close.closeCode()).isEqualTo(1009);
        }
    }

    @Test
    void aPushIsCompressedForAConnectionThatNegotiatedDeflateAndPlainForOneThatDidNot() throws Exception {
        try (TestNode node = TestNode.start(b -> b.set(PERMESSAGE_DEFLATE, true));
             RawWebSocket plain = RawWebSocket.connect(node.port(), "/ws?sid=d2", TestNode.token("d2"));
             RawWebSocket compressed = RawWebSocket.connect(node.port(), "/ws?sid=d2", TestNode.token("d2"), OFFER)) {
            plain.sendText("{\"name\":\"Event.AddConversation\",\"args\":{\"user_id\":\"d2\",\"application_id\":5}}");
            assertThat(plain.readFrame().text()).contains("\"ok\":true");

            plain.sendText("{\"name\":\"Event.SendMessage\",\"args\":{\"session_channel\":\"5\",\"sender_id\":\"d2\","
                    + "\"content\":\"to my other tab\"}}");
            assertThat(plain.readFrame().text()).contains("\"ok\":true");
            RawWebSocket.Frame pushed = compressed.readFrame();
            assertThat(pushed.rsv1()).as("compressed").isTrue();
            assertThat(inflate(pushed.payload())).contains("\"name\":\"Event.ReceiveMessage\"").contains("to my other tab");

            compressed.sendFrame(true, true, RawWebSocket.TEXT, deflate("{\"name\":\"Event.SendMessage\",\"args\":{"
                    + "\"session_channel\":\"5\",\"sender_id\":\"d2\",\"content\":\"back\"}}"));
            RawWebSocket.Frame back = plain.readFrame();
            assertThat(back.rsv1()).as("not compressed").isFalse();
            assertThat(back.text()).contains("\"name\":\"Event.ReceiveMessage\"").contains("back");
        }
    }

    /** RFC 7692: raw deflate of the message, without the trailing 00 00 ff ff. */
    private static byte[] deflate(String text) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        deflater.setInput(text.getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0) {
            out.write(buf, 0, n);
        }
        deflater.end();
        byte[] all = out.toByteArray();
        return java.util.Arrays.copyOf(all, all.length - 4);
    }

    private static String inflate(byte[] payload) throws Exception {
        Inflater inflater = new Inflater(true);
        byte[] input = java.util.Arrays.copyOf(payload, payload.length + 4);
        input[payload.length + 2] = (byte) 0xff;
        input[payload.length + 3] = (byte) 0xff;
        inflater.setInput(input);
        byte[] buf = new byte[65536];
        int n = inflater.inflate(buf);
        inflater.end();
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }
}
