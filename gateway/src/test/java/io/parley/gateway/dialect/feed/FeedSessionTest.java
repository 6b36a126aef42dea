package io.parley.gateway.dialect.feed;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.session.Session;
import io.parley.gateway.support.ChatCore;
import io.parley.gateway.support.LeakDetectionExtension;
import io.parley.gateway.support.LoopBoundLifecycle;
import io.parley.gateway.support.TestThreadExecutor;
import io.parley.protocol.command.Command;
import io.parley.protocol.feed.FeedCodec;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.parley.gateway.connection.PipelineNames.CHAT;
import static io.parley.gateway.dialect.feed.FeedEndpoint.HEARTBEAT_HANDLER;
import static io.parley.gateway.dialect.feed.FeedEndpoint.HISTORY_HANDLER;
import static io.parley.gateway.support.EmbeddedChannels.awaitOutbound;
import static io.parley.gateway.support.EmbeddedChannels.json;
import static io.parley.gateway.support.EmbeddedChannels.outbound;
import static io.parley.gateway.support.EmbeddedChannels.textFrame;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whole {@code feed} session as the handshake starts it: {@link FeedEndpoint}'s handlers
 * installed by the real ConnectionPipeline after the transport, then made live. The history and
 * chat handlers run on a {@link TestThreadExecutor} (answers from storage threads), the heartbeat
 * on the channel's frozen clock.
 */
@ExtendWith(LeakDetectionExtension.class)
class FeedSessionTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration HEARTBEAT = Duration.ofSeconds(5);
    private static final AtomicInteger USERS = new AtomicInteger();

    @RegisterExtension
    static final ChatCore core = ChatCore.perClass();
    private final ChatCore.Wiring wiring = core.wire();

    private final TestThreadExecutor loop = new TestThreadExecutor();
    private final LoopBoundLifecycle lifecycle = new LoopBoundLifecycle(wiring.connectionPipeline(), loop, CHAT, HISTORY_HANDLER);
    private final FeedEndpoint endpoint = new FeedEndpoint(new FeedCodec(), wiring.chat(), HEARTBEAT);
    private Principal customer;
    private Principal agent;
    private String chatId;

    @BeforeEach
    void setUp() {
        int n = USERS.incrementAndGet();
        customer = new Principal("customer-" + n, false);
        agent = new Principal("agent-" + n, false);
        chatId = wiring.createChat(customer, ChatKind.GROUP, agent.userId());
    }

    private EmbeddedChannel newChannel() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        return channel;
    }

    private Session install(EmbeddedChannel channel, String query) {
        QueryStringDecoder uri = new QueryStringDecoder("/v1/chats/" + chatId + query);
        assertThat(endpoint.invalidUrl(uri)).isNull();
        return lifecycle.install(channel.pipeline(), endpoint, uri, customer, "token");
    }

    private static List<String> handlerNames(EmbeddedChannel channel) {
        return List.copyOf(channel.pipeline().names()).stream().filter(n -> !n.startsWith("DefaultChannelPipeline")).toList();
    }

    private static void send(EmbeddedChannel channel, String text) {
        TextWebSocketFrame frame = textFrame(text);
        assertThat(channel.writeInbound(frame)).isFalse();
        assertThat(frame.refCnt()).isZero();
    }

    private static String update(String text) {
        return "{\"type\":\"update\",\"message\":[{\"type\":\"message\",\"text\":\"" + text + "\"}]}";
    }

    private JsonNode next(EmbeddedChannel channel) {
        return json(awaitOutbound(channel, TIMEOUT, loop));
    }

    private static List<String> texts(JsonNode update) {
        List<String> texts = new ArrayList<>();
        update.path("message").forEach(item -> texts.add(item.path("text").asText()));
        return texts;
    }

    @Test
    void theHeartbeatHandlerIsInstalledOnlyWithHeartbeatTrue() {
        for (String query : List.of("?heartbeat=true", "?heartbeat=false", "", "?heartbeat=false&heartbeat=true")) {
            EmbeddedChannel channel = newChannel();

            install(channel, query);

            List<String> names = handlerNames(channel);
            if (query.equals("?heartbeat=true")) {
                assertThat(names).as(query).containsExactly(HISTORY_HANDLER, HEARTBEAT_HANDLER, CHAT);
            } else {
                assertThat(names).as(query).containsExactly(HISTORY_HANDLER, CHAT);
            }
            assertThat(channel.finish()).isFalse();
        }
    }

    @Test
    void historyThenRepliesPushesAndHeartbeatsAreOneSequenceFrom0() {
        wiring.chat().execute(agent, 0, new Command.SendMessage(chatId, null, "how can I help?", ContentType.TEXT, null)).join();
        EmbeddedChannel channel = newChannel();
        Session session = install(channel, "?heartbeat=true");
        lifecycle.activate(session);

        JsonNode history = next(channel);
        assertThat(history.path("socket_sequence").asLong()).isZero();
        assertThat(texts(history)).containsExactly("how can I help?");

        send(channel, update("my order is late"));
        JsonNode own = next(channel);
        assertThat(own.path("socket_sequence").asLong()).isEqualTo(1);
        assertThat(texts(own)).containsExactly("my order is late");

        // Handed to the event loop before the send completes; the test thread waits meanwhile.
        wiring.chat().execute(agent, 0, new Command.SendMessage(chatId, null, "checking", ContentType.TEXT, null)).join();
        channel.runPendingTasks();
        JsonNode pushed = json(channel.readOutbound());
        assertThat(pushed.path("socket_sequence").asLong()).isEqualTo(2);
        assertThat(texts(pushed)).containsExactly("checking");

        channel.advanceTimeBy(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        JsonNode heartbeat = json(channel.readOutbound());
        assertThat(heartbeat.path("type").asText()).isEqualTo("heartbeat");
        assertThat(heartbeat.path("socket_sequence").asLong()).isEqualTo(3);

        send(channel, "{\"type\":\"typing\"}");
        JsonNode error = json(channel.readOutbound());
        assertThat(error.path("type").asText()).isEqualTo("error");
        assertThat(error.path("code").asInt()).isEqualTo(400);
        assertThat(error.path("socket_sequence").asLong()).isEqualTo(4);

        assertThat(channel.finish()).isFalse();
        assertThat(wiring.sessions().all()).isEmpty();
    }

    @Test
    void ownMessageCommittedBeforeTheHistoryWasReadIsShownOnceInTheHistory() {
        EmbeddedChannel channel = newChannel();
        Session session = install(channel, "");
        // The message is committed and its acknowledgement waits on the loop ...
        send(channel, update("sent right away"));
        assertThat(loop.awaitPending(1, TIMEOUT)).isTrue();
        // ... then the history is read (and holds it), and its answer waits too.
        lifecycle.activate(session);
        assertThat(loop.awaitPending(2, TIMEOUT)).isTrue();

        JsonNode history = next(channel);

        assertThat(history.path("socket_sequence").asLong()).isZero();
        assertThat(texts(history)).containsExactly("sent right away");
        loop.runPending();
        assertThat(outbound(channel)).as("the acknowledgement would show it twice").isEmpty();

        send(channel, update("and another"));
        JsonNode next = next(channel);
        assertThat(next.path("socket_sequence").asLong()).isEqualTo(1);
        assertThat(texts(next)).containsExactly("and another");
        assertThat(channel.finish()).isFalse();
    }
}
