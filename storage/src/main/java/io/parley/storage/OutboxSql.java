package io.parley.storage;

import io.parley.protocol.model.Message;
import io.parley.protocol.model.NewMessage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Statements on {@code webhook_outbox}. Each method runs inside the caller's transaction.
 *
 * <p>States: {@code pending} (due at {@code next_attempt_at}), {@code dead} (attempts ran out, kept
 * for inspection); a delivered event is deleted.
 *
 * <p>A node claims due events by moving their {@code next_attempt_at} to the end of its claim:
 * other nodes skip them meanwhile ({@code FOR UPDATE SKIP LOCKED} while claiming, the later
 * due time after), and if the node dies they fall due again when the claim lapses.
 */
final class OutboxSql {
    static final String MESSAGE_CREATED = "message.created";

    static final String PENDING = "pending";
    private static final String DEAD = "dead";

    private static final String INSERT =
            "INSERT INTO webhook_outbox (id, type, chat_id, message_id, data, created_at, state, attempts,"
                    + " next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, '" + PENDING + "', 0, ?)";
    private static final String SELECT_DUE =
            "SELECT id FROM webhook_outbox WHERE state = '" + PENDING + "' AND next_attempt_at <= ?"
                    + " ORDER BY next_attempt_at LIMIT ?";
    // Where several nodes claim (PostgreSQL). H2 would lock every due row before the LIMIT, a cost
    // that grows with the backlog; its database belongs to one process, whose one poller claims.
    private static final String SELECT_DUE_SKIP_LOCKED = SELECT_DUE + " FOR UPDATE SKIP LOCKED";
    private static final String EXTEND_CLAIM = "UPDATE webhook_outbox SET next_attempt_at = ? WHERE id = ANY (?)";
    private static final String SELECT_CLAIMED =
            "SELECT o.id AS event_id, o.type, o.chat_id AS event_chat_id, o.message_id, o.data,"
                    + " o.created_at AS event_created_at, o.attempts, " + Rows.MESSAGE_COLUMNS
                    + " FROM webhook_outbox o LEFT JOIN messages m ON m.id = o.message_id"
                    + " WHERE o.id = ANY (?) ORDER BY o.id";
    // Delivered events go: the receiver deduplicates by id, and the table stays as small as the backlog.
    private static final String DELIVERED_DELETE = "DELETE FROM webhook_outbox WHERE id = ?";
    private static final String DELIVERED_DELETE_ALL = "DELETE FROM webhook_outbox WHERE id = ANY (?)";
    private static final String FAILED_UPDATE =
            "UPDATE webhook_outbox SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?"
                    + " WHERE id = ? AND state = '" + PENDING + "'";
    private static final String BACKLOG =
            "SELECT state, count(*) AS events, min(created_at) AS oldest FROM webhook_outbox WHERE state IN ('" + PENDING + "', '"
                    + DEAD + "') GROUP BY state";
    /** The longest error text kept per event: enough to see why, bounded whatever the receiver said. */
    private static final int MAX_ERROR_LENGTH = 500;

    private OutboxSql() {
    }

    static void insert(Connection c, OutboxEvent event) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            bind(ps, event);
            ps.executeUpdate();
        }
    }

    /** The {@code message.created} events of messages just appended (those with outbox data). */
    static void insertMessages(Connection c, List<NewMessage> appended) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            int rows = 0;
            for (NewMessage m : appended) {
                if (m.outboxData() != null) {
                    bind(ps, new OutboxEvent(m.id(), MESSAGE_CREATED, m.chatId(), m.id(), m.outboxData(),
                            m.createdAt()));
                    ps.addBatch();
                    rows++;
                }
            }
            if (rows > 0) {
                ps.executeBatch();
            }
        }
    }

    private static void bind(PreparedStatement ps, OutboxEvent event) throws SQLException {
        ps.setLong(1, event.id());
        ps.setString(2, event.type());
        ps.setString(3, event.chatId());
        Rows.setNullableLong(ps, 4, event.messageId());
        ps.setString(5, event.data());
        Rows.setInstant(ps, 6, event.createdAt());
        Rows.setInstant(ps, 7, event.createdAt());
    }

    /**
     * Claims up to {@code limit} due events until {@code claimUntil}; oldest due first.
     *
     * @param sharedByNodes whether other processes claim from this database too (then rows being
     *                      claimed by one are skipped by the others)
     */
    static List<OutboxEntry> claim(Connection c, Instant now, Instant claimUntil, int limit, boolean sharedByNodes)
            throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sharedByNodes ? SELECT_DUE_SKIP_LOCKED : SELECT_DUE)) {
            Rows.setInstant(ps, 1, now);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        if (ids.isEmpty()) {
            return List.of();
        }
        Long[] claimed = ids.toArray(Long[]::new);
        try (PreparedStatement ps = c.prepareStatement(EXTEND_CLAIM)) {
            Rows.setInstant(ps, 1, claimUntil);
            ps.setArray(2, c.createArrayOf("BIGINT", claimed));
            ps.executeUpdate();
        }
        List<OutboxEntry> entries = new ArrayList<>(ids.size());
        try (PreparedStatement ps = c.prepareStatement(SELECT_CLAIMED)) {
            ps.setArray(1, c.createArrayOf("BIGINT", claimed));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    OutboxEvent event = new OutboxEvent(rs.getLong("event_id"), rs.getString("type"),
                            rs.getString("event_chat_id"), Rows.nullableLong(rs, "message_id"), rs.getString("data"),
                            Rows.instant(rs, "event_created_at"));
                    rs.getLong("id");
                    Message message = rs.wasNull() ? null : Rows.message(rs);
                    entries.add(new OutboxEntry(event, rs.getInt("attempts"), message));
                }
            }
        }
        return entries;
    }

    static void delivered(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(DELIVERED_DELETE)) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
    }

    static void delivered(Connection c, Collection<Long> ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(DELIVERED_DELETE_ALL)) {
            ps.setArray(1, c.createArrayOf("BIGINT", ids.toArray(Long[]::new)));
            ps.executeUpdate();
        }
    }

    /** Records a failed attempt: due again at {@code retryAt}, or dead. */
    static void failed(Connection c, long id, int attempts, Instant retryAt, String error, boolean dead)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(FAILED_UPDATE)) {
            ps.setString(1, dead ? DEAD : PENDING);
            ps.setInt(2, attempts);
            Rows.setInstant(ps, 3, retryAt);
            if (error == null) {
                ps.setNull(4, Types.VARCHAR);
            } else {
                ps.setString(4, error.length() > MAX_ERROR_LENGTH ? error.substring(0, MAX_ERROR_LENGTH) : error);
            }
            ps.setLong(5, id);
            ps.executeUpdate();
        }
    }

    static WebhookBacklog backlog(Connection c) throws SQLException {
        long pending = 0;
        long dead = 0;
        Instant oldest = null;
        try (PreparedStatement ps = c.prepareStatement(BACKLOG); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                if (PENDING.equals(rs.getString(1))) {
                    pending = rs.getLong("events");
                    oldest = Rows.nullableInstant(rs, "oldest");
                } else {
                    dead = rs.getLong("events");
                }
            }
        }
        return new WebhookBacklog(pending, dead, oldest);
    }
}
