package io.parley.gateway.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.parley.gateway.dialect.events.EventsEndpoint;
import io.parley.gateway.support.LeakDetectionExtension;
import io.parley.gateway.support.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Routing of plain HTTP requests, as bytes through the real HTTP codec and aggregator. */
@ExtendWith(LeakDetectionExtension.class)
class HttpRouterTest {
    /** A route of the test's own: answers with the method and URI it saw. */
    private static final HttpRoute ECHO = (ctx, request) -> HttpResponses.send(ctx, request, HttpResponseStatus.OK,
            "text/plain", (request.method() + " " + request.uri()).getBytes(StandardCharsets.UTF_8));

    /** Requests the router passed on, kept unreleased so the test can check their reference counts. */
    private final List<FullHttpRequest> passedOn = new ArrayList<>();

    private EmbeddedChannel channel(Map<String, HttpRoute> routes) {
        HttpRouter router = new HttpRouter(routes, uri -> uri.path().equals(EventsEndpoint.PATH));
        return new EmbeddedChannel(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024), router,
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        passedOn.add((FullHttpRequest) msg);
                    }
                });
    }

    private EmbeddedChannel channel() {
        return channel(Map.of("/echo", ECHO));
    }

    @Test
    void requestIsAnsweredByTheRouteOfItsPathWhateverTheQuery() {
        EmbeddedChannel channel = channel();

        RawHttp.send(channel, RawHttp.request("GET", "/echo?x=1&y=2"));

        RawHttp.Response response = RawHttp.read(channel);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("GET /echo?x=1&y=2");
        assertThat(response.header("Content-Type")).isEqualTo("text/plain");
        assertThat(response.header("Cache-Control")).isEqualTo("no-store");
        assertThat(response.header("Connection")).isEqualToIgnoringCase("keep-alive");
        assertThat(channel.isOpen()).isTrue();
        assertThat(passedOn).isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void unknownPathIsAJson404() {
        EmbeddedChannel channel = channel();

        RawHttp.send(channel, RawHttp.request("GET", "/nope?q=1"));

        RawHttp.Response response = RawHttp.read(channel);
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        assertThat(response.json().at("/error/code").asInt()).isEqualTo(404);
        assertThat(response.json().at("/error/message").asText()).isEqualTo("no route for /nope");
        assertThat(channel.isOpen()).as("keep-alive").isTrue();
        assertThat(passedOn).isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void pathsThatOnlyResembleTheWebSocketEndpointAreNotPassedOn() {
        EmbeddedChannel channel = channel();

        RawHttp.send(channel, RawHttp.request("GET", "/ws/"));
        RawHttp.send(channel, RawHttp.request("GET", "/wsx?sid=1"));

        assertThat(RawHttp.readAll(channel)).extracting(RawHttp.Response::status).containsExactly(404, 404);
        assertThat(passedOn).isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void webSocketEndpointRequestIsPassedOnRetainedExactlyOnce() {
        EmbeddedChannel channel = channel();

        RawHttp.send(channel, RawHttp.request("GET", "/ws?sid=1", "Upgrade: websocket", "Connection: Upgrade"));

        assertThat((Object) channel.readOutbound()).as("the router answers nothing itself").isNull();
        assertThat(passedOn).hasSize(1);
        FullHttpRequest request = passedOn.get(0);
        assertThat(request.uri()).isEqualTo("/ws?sid=1");
        assertThat(request.refCnt()).as("the router released its own reference, the next handler owns one").isEqualTo(1);
        assertThat(request.release()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void webSocketEndpointRequestWithABodyIsPassedOnRetainedExactlyOnce() {
        EmbeddedChannel channel = channel();

        RawHttp.send(channel, RawHttp.requestWithBody("POST", "/ws", "text/plain", "hello"));

        FullHttpRequest request = passedOn.get(0);
        assertThat(request.content().toString(StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(request.refCnt()).isEqualTo(1);
        assertThat(request.release()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderOnOneConnection() {
        EmbeddedChannel channel = channel();

        RawHttp.send(channel, RawHttp.request("GET", "/echo?n=1") + RawHttp.request("GET", "/missing")
                + RawHttp.request("DELETE", "/echo?n=3"));

        List<RawHttp.Response> responses = RawHttp.readAll(channel);
        assertThat(responses).extracting(RawHttp.Response::status).containsExactly(200, 404, 200);
        assertThat(responses.get(0).body()).isEqualTo("GET /echo?n=1");
        assertThat(responses.get(2).body()).isEqualTo("DELETE /echo?n=3");
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void connectionCloseRequestGetsItsAnswerThenTheConnectionCloses() {
        EmbeddedChannel channel = channel();

        RawHttp.send(channel, RawHttp.request("GET", "/echo", "Connection: close"));

        RawHttp.Response response = RawHttp.read(channel);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Connection")).isEqualToIgnoringCase("close");
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void http10RequestWithoutKeepAliveIsClosedAfterTheAnswer() {
        EmbeddedChannel channel = channel();

        RawHttp.send(channel, "GET /nope HTTP/1.0\r\n\r\n");

        RawHttp.Response response = RawHttp.read(channel);
        assertThat(response.status()).isEqualTo(404);
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void malformedRequestIsA400AndTheConnectionCloses() {
        EmbeddedChannel channel = channel();

        RawHttp.send(channel, "GET /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: twelve\r\n\r\n");

        RawHttp.Response response = RawHttp.read(channel);
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().at("/error/message").asText()).isEqualTo("malformed HTTP request");
        assertThat(response.header("Connection")).isEqualToIgnoringCase("close");
        assertThat(channel.isOpen()).isFalse();
        assertThat(passedOn).isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void routeThatFailsIsAnsweredWith500AndTheConnectionCloses() {
        EmbeddedChannel channel = channel(Map.of("/boom", (ctx, request) -> {
            throw new IllegalStateException("test: route failure");
        }));

        RawHttp.send(channel, RawHttp.request("GET", "/boom"));

        RawHttp.Response response = RawHttp.read(channel);
        assertThat(response.status()).isEqualTo(500);
        assertThat(response.json().at("/error/code").asInt()).isEqualTo(500);
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }
}
