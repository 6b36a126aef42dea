package io.parley.gateway.dialect.feed;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.parley.gateway.connection.HandshakeComplete;
import io.parley.gateway.core.ChatService;
import io.parley.gateway.core.Failures;
import io.parley.gateway.session.Session;
import io.parley.protocol.Request;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.Reply;
import io.parley.protocol.model.Message;

import java.util.List;

/**
 * One-shot: when the {@code feed} session goes live, loads the chat's recent history (or, on a
 * resume, the messages after the client's last one) and writes it as the socket's first
 * {@code update} (or an error frame: store down, unknown event id), which releases whatever the
 * {@link FeedFrameWriter} held meanwhile; pushes the history already holds are dropped there.
 * Removes itself.
 */
public final class FeedHistoryHandler extends ChannelInboundHandlerAdapter {
    /** Messages in the initial update. */
    public static final int HISTORY_SIZE = 50;

    private final Session session;
    private final ChatService chat;
    private final FeedFrameWriter writer;
    private final Long afterEventId;

    /** @param afterEventId the message to resume after, or {@code null} for the newest ones */
    public FeedHistoryHandler(Session session, ChatService chat, FeedFrameWriter writer, Long afterEventId) {
        this.session = session;
        this.chat = chat;
        this.writer = writer;
        this.afterEventId = afterEventId;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof HandshakeComplete) {
            Command.GetHistory command = afterEventId == null
                    ? new Command.GetHistory(session.scope().chatId(), null, null, HISTORY_SIZE)
                    : new Command.GetHistory(session.scope().chatId(), null, null, Command.GetHistory.MAX_LIMIT,
                            afterEventId);
            Request.Valid request = new Request.Valid("history", null, command);
            chat.execute(session.principal(), session.id(), command).whenComplete((reply, failure) ->
                    ctx.executor().execute(() -> {
                        if (failure == null) {
                            List<Message> page = ((Reply.HistoryPage) reply).messages();
                            long horizon = page.isEmpty() ? 0 : page.get(page.size() - 1).seq();
                            writer.start(session.codec().encodeReply(request, reply), horizon);
                        } else {
                            writer.start(session.codec().encodeError(request, Failures.toChatException(failure)), 0);
                        }
                    }));
            ctx.pipeline().remove(this);
        }
        ctx.fireUserEventTriggered(evt);
    }
}
