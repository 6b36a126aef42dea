package io.parley.gateway.dialect.feed;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.embedded.EmbeddedChannel;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.connection.HandshakeComplete;
import io.parley.gateway.session.Session;
import io.parley.gateway.support.LeakDetectionExtension;
import io.parley.protocol.SocketScope;
import io.parley.protocol.command.Reply;
import io.parley.protocol.feed.FeedCodec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.parley.gateway.dialect.feed.FeedEndpoint.HEARTBEAT_HANDLER;
import static io.parley.gateway.support.EmbeddedChannels.json;
import static io.parley.gateway.support.EmbeddedChannels.outbound;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ?heartbeat=true}: a {@code heartbeat} frame every interval once the session is live,
 * numbered by the socket's {@link FeedFrameWriter} like every other frame, until the socket
 * closes. Time is the {@code EmbeddedChannel}'s frozen clock.
 */
@ExtendWith(LeakDetectionExtension.class)
class FeedHeartbeatHandlerTest {
    private static final Duration INTERVAL = Duration.ofSeconds(5);

    private EmbeddedChannel channel;
    private Session session;

    @BeforeEach
    void setUp() {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        FeedCodec codec = new FeedCodec();
        session = new Session(new Principal("1", false), codec, channel, new SocketScope("chat-1", null),
                FeedFrameWriter::new);
        // The history update is frame 0 (FeedHistoryHandler's job, tested on its own).
        ((FeedFrameWriter) session.writer()).start(codec.encodeReply(null, new Reply.HistoryPage(List.of(), Map.of())), 0);
        assertThat(frames()).hasSize(1);
        channel.pipeline().addLast(HEARTBEAT_HANDLER, new FeedHeartbeatHandler(session, INTERVAL));
    }

    private void goLive() {
        channel.pipeline().fireUserEventTriggered(new HandshakeComplete(session));
    }

    private void advance(Duration duration) {
        channel.advanceTimeBy(duration.toNanos(), TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
    }

    private List<JsonNode> frames() {
        channel.runPendingTasks();
        return outbound(channel).stream().map(frame -> json(frame)).toList();
    }

    @Test
    void noHeartbeatBeforeTheSessionIsLive() {
        advance(INTERVAL.multipliedBy(4));

        assertThat(frames()).isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aHeartbeatEveryIntervalNumberedLikeEveryFrame() {
        goLive();

        advance(INTERVAL.minusMillis(1));
        assertThat(frames()).isEmpty();

        advance(Duration.ofMillis(1));
        List<JsonNode> first = frames();
        assertThat(first).hasSize(1);
        assertThat(first.get(0).path("type").asText()).isEqualTo("heartbeat");
        assertThat(first.get(0).path("socket_sequence").asLong()).isEqualTo(1);
        assertThat(first.get(0).size()).as("only type and socket_sequence").isEqualTo(2);

        session.send(FeedCodec.heartbeat()); // any other frame in between takes the next number
        advance(INTERVAL.multipliedBy(3));

        assertThat(frames()).extracting(f -> f.path("socket_sequence").asLong()).containsExactly(2L, 3L, 4L, 5L);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aSecondHandshakeCompleteDoesNotDoubleTheBeat() {
        goLive();
        goLive();

        advance(INTERVAL);

        assertThat(frames()).hasSize(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void heartbeatsStopWhenTheSocketCloses() {
        goLive();
        advance(INTERVAL);
        assertThat(frames()).hasSize(1);

        channel.close();
        advance(INTERVAL.multipliedBy(4));

        assertThat(frames()).isEmpty();
        assertThat(channel.runScheduledPendingTasks()).as("nothing left scheduled").isEqualTo(-1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void heartbeatsStopWhenTheHandlerIsRemoved() {
        goLive();

        channel.pipeline().remove(HEARTBEAT_HANDLER);
        advance(INTERVAL.multipliedBy(4));

        assertThat(frames()).isEmpty();
        assertThat(channel.runScheduledPendingTasks()).isEqualTo(-1);
        assertThat(channel.finish()).isFalse();
    }
}
