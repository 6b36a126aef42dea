package io.parley.gateway.dialect.feed;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.parley.gateway.connection.DialectEndpoint;
import io.parley.gateway.connection.PathTemplate;
import io.parley.gateway.core.ChatService;
import io.parley.gateway.session.FrameWriter;
import io.parley.gateway.session.Session;
import io.parley.protocol.DialectCodec;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * Dialect {@code feed} (seed 001): {@code GET /v1/chats/{chat_id}?heartbeat=true|false} with
 * {@code Authorization: Bearer <jwt>} (or the {@code access_token} subprotocol pair). The socket
 * is bound to that chat (403/404 before the upgrade if the user may not read it); frames are
 * numbered per socket; the first is the history update (the newest messages, or with
 * {@code ?after_event_id=} the ones after that message); heartbeats on request.
 */
public final class FeedEndpoint implements DialectEndpoint {
    public static final PathTemplate PATH = new PathTemplate("/v1/chats/");
    public static final String HEARTBEAT_PARAMETER = "heartbeat";
    /** Resume: the first update replays the messages after this message's {@code eventId}. */
    public static final String AFTER_EVENT_ID_PARAMETER = "after_event_id";
    /** This dialect's own handlers, before the chat handler. */
    public static final String HISTORY_HANDLER = "feed-history";
    public static final String HEARTBEAT_HANDLER = "feed-heartbeat";

    private final DialectCodec codec;
    private final ChatService chat;
    private final Duration heartbeatInterval;

    public FeedEndpoint(DialectCodec codec, ChatService chat, Duration heartbeatInterval) {
        this.codec = codec;
        this.chat = chat;
        this.heartbeatInterval = heartbeatInterval;
    }

    @Override
    public DialectCodec codec() {
        return codec;
    }

    @Override
    public boolean matches(QueryStringDecoder uri) {
        return uri.path().startsWith(PATH.prefix());
    }

    @Override
    public String invalidUrl(QueryStringDecoder uri) {
        if (PATH.parameter(uri.path()) == null) {
            return "expected /v1/chats/{chat_id}";
        }
        String heartbeat = heartbeatParameter(uri);
        if (heartbeat != null && !List.of("true", "false").contains(heartbeat)) {
            return "heartbeat must be true or false";
        }
        String after = first(uri, AFTER_EVENT_ID_PARAMETER);
        if (after != null && afterEventId(uri) == null) {
            return "after_event_id must be a positive integer (the eventId of a message update)";
        }
        return null;
    }

    /** The {@code after_event_id} to resume from, or {@code null} (the newest messages). */
    private static Long afterEventId(QueryStringDecoder uri) {
        String value = first(uri, AFTER_EVENT_ID_PARAMETER);
        try {
            long id = value == null ? 0 : Long.parseLong(value);
            return id > 0 ? id : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String first(QueryStringDecoder uri, String parameter) {
        List<String> values = uri.parameters().get(parameter);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The first {@code heartbeat} value, the one checked and the one obeyed; {@code null} when absent. */
    private static String heartbeatParameter(QueryStringDecoder uri) {
        return first(uri, HEARTBEAT_PARAMETER);
    }

    @Override
    public String chatOf(QueryStringDecoder uri) {
        return PATH.parameter(uri.path());
    }

    @Override
    public Function<Channel, FrameWriter> frameWriters(QueryStringDecoder uri) {
        return FeedFrameWriter::new;
    }

    @Override
    public void addSessionHandlers(ChannelPipeline pipeline, Session session, QueryStringDecoder uri) {
        pipeline.addLast(HISTORY_HANDLER, new FeedHistoryHandler(session, chat, (FeedFrameWriter) session.writer(),
                afterEventId(uri)));
        if ("true".equals(heartbeatParameter(uri))) {
            pipeline.addLast(HEARTBEAT_HANDLER, new FeedHeartbeatHandler(session, heartbeatInterval));
        }
    }
}
