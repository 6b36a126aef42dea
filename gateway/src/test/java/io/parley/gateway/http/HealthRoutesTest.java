package io.parley.gateway.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.parley.gateway.support.ChatCore;
import io.parley.gateway.support.LeakDetectionExtension;
import io.parley.gateway.support.RawHttp;
import io.parley.gateway.support.TestThreadExecutor;
import io.parley.storage.HistoryService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /health} and {@code /ready} through the router. The router runs on a
 * {@link TestThreadExecutor}: {@code /ready} answers from a storage thread's completion.
 */
@ExtendWith(LeakDetectionExtension.class)
class HealthRoutesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @RegisterExtension
    static final ChatCore core = ChatCore.perClass();
    @TempDir
    static Path closedDataDir;

    private final TestThreadExecutor loop = new TestThreadExecutor();
    /** Every request the aggregator produced (not retained: only their reference counts are checked). */
    private final List<FullHttpRequest> requests = new ArrayList<>();

    private EmbeddedChannel channel(HistoryService history, BooleanSupplier draining) {
        return channel(history, draining, () -> true);
    }

    private EmbeddedChannel channel(HistoryService history, BooleanSupplier draining, BooleanSupplier busConnected) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        requests.add((FullHttpRequest) msg);
                        ctx.fireChannelRead(msg);
                    }
                });
        channel.pipeline().addLast(loop, "router", new HttpRouter(
                Map.of("/health", HealthRoutes.health(), "/ready", HealthRoutes.ready(history, draining, busConnected)), uri -> false));
        return channel;
    }

    /** Waits until the channel wrote a response (the ready check answers from the loop). */
    private RawHttp.Response awaitResponse(EmbeddedChannel channel) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            loop.runPending();
            channel.runPendingTasks();
            if (!channel.outboundMessages().isEmpty()) {
                return RawHttp.read(channel);
            }
            loop.awaitAndRun(Duration.ofMillis(20));
        }
        throw new AssertionError("no response within " + TIMEOUT);
    }

    @Test
    void healthAnswersUp() {
        EmbeddedChannel channel = channel(core.history(), () -> false);

        RawHttp.send(channel, RawHttp.request("GET", "/health"));

        RawHttp.Response response = RawHttp.read(channel);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        assertThat(response.json().path("status").asText()).isEqualTo("up");
        assertThat(channel.isOpen()).isTrue();
        assertThat(requests).allSatisfy(r -> assertThat(r.refCnt()).isZero());
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void readyAnswersReadyWhenTheStoreAnswersAndReleasesTheRequestItKeptMeanwhile() {
        EmbeddedChannel channel = channel(core.history(), () -> false);

        RawHttp.send(channel, RawHttp.request("GET", "/ready"));
        assertThat(requests.get(0).refCnt()).as("kept by the route while the store is asked").isEqualTo(1);

        RawHttp.Response response = awaitResponse(channel);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().path("status").asText()).isEqualTo("ready");
        assertThat(response.json().path("history_store").asText()).isEqualTo("up");
        assertThat(response.header("Connection")).isEqualToIgnoringCase("keep-alive");
        assertThat(requests.get(0).refCnt()).as("released once answered").isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void readyIs503WhileTheBusIsDisconnected() {
        EmbeddedChannel channel = channel(core.history(), () -> false, () -> false);

        RawHttp.send(channel, RawHttp.request("GET", "/ready"));

        RawHttp.Response response = RawHttp.read(channel);
        assertThat(response.status()).isEqualTo(503);
        assertThat(response.json().path("bus").asText()).isEqualTo("down");
        assertThat(requests).allSatisfy(r -> assertThat(r.refCnt()).isZero());
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void readyIs503WhileDrainingWithoutAskingTheStore() {
        EmbeddedChannel channel = channel(core.history(), () -> true);

        RawHttp.send(channel, RawHttp.request("GET", "/ready"));

        RawHttp.Response response = RawHttp.read(channel);
        assertThat(response.status()).isEqualTo(503);
        assertThat(response.json().path("status").asText()).isEqualTo("draining");
        assertThat(response.header("Connection")).as("5xx closes").isEqualToIgnoringCase("close");
        assertThat(channel.isOpen()).isFalse();
        assertThat(loop.pending()).isZero();
        assertThat(requests).allSatisfy(r -> assertThat(r.refCnt()).isZero());
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void readyIs503WhenTheStoreIsDown() {
        ChatCore closed = ChatCore.open(closedDataDir);
        closed.close();
        EmbeddedChannel channel = channel(closed.history(), () -> false);

        RawHttp.send(channel, RawHttp.request("GET", "/ready"));

        RawHttp.Response response = awaitResponse(channel);
        assertThat(response.status()).isEqualTo(503);
        assertThat(response.json().path("status").asText()).isEqualTo("not ready");
        assertThat(response.json().path("history_store").asText()).isEqualTo("down");
        assertThat(requests.get(0).refCnt()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void readyAnswerAfterTheClientLeftIsDroppedAndTheRequestStillReleased() {
        EmbeddedChannel channel = channel(core.history(), () -> false);

        RawHttp.send(channel, RawHttp.request("GET", "/ready"));
        channel.close();
        assertThat(loop.awaitAndRun(TIMEOUT)).isPositive();

        assertThat(requests.get(0).refCnt()).isZero();
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(channel.finish()).isFalse();
    }
}
