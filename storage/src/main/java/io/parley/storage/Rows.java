package io.parley.storage;

import io.parley.protocol.model.Chat;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.Message;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/** Maps rows to model records and Java values to columns, the same way on H2 and PostgreSQL. */
final class Rows {

    /** Column lists matching {@link #chat} and {@link #message}; keep them in step. */
    static final String CHAT_COLUMNS =
            "c.id, c.number, c.kind, c.owner_id, c.application_id, c.title, c.created_at, c.updated_at, c.closed_at";
    static final String MESSAGE_COLUMNS =
            "m.id, m.chat_id, m.seq, m.sender_id, m.content, m.content_type, m.reply_to, m.created_at,"
                    + " m.updated_at, m.deleted, m.edited, m.attachment";

    private Rows() {
    }

    /**
     * Both databases keep microseconds; an Instant truncated before it is written reads back equal,
     * so what a write returns is exactly what a later read returns.
     */
    static Instant micros(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    /** Binds a timestamptz; OffsetDateTime is the type both drivers map to it without a zone guess. */
    static void setInstant(PreparedStatement ps, int index, Instant instant) throws SQLException {
        ps.setObject(index, OffsetDateTime.ofInstant(micros(instant), ZoneOffset.UTC));
    }

    static void setNullableInstant(PreparedStatement ps, int index, Instant instant) throws SQLException {
        if (instant == null) {
            ps.setNull(index, java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            setInstant(ps, index, instant);
        }
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    static Instant nullableInstant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    static void setNullableLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value);
        }
    }

    static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    static Chat chat(ResultSet rs) throws SQLException {
        return new Chat(
                rs.getString("id"),
                rs.getLong("number"),
                ChatKind.fromWireName(rs.getString("kind")),
                rs.getString("owner_id"),
                nullableLong(rs, "application_id"),
                rs.getString("title"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"),
                nullableInstant(rs, "closed_at"));
    }

    static Message message(ResultSet rs) throws SQLException {
        return new Message(
                rs.getLong("id"),
                rs.getString("chat_id"),
                rs.getLong("seq"),
                rs.getString("sender_id"),
                rs.getString("content"),
                ContentType.fromCode(rs.getInt("content_type")),
                nullableLong(rs, "reply_to"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"),
                rs.getBoolean("deleted"),
                rs.getBoolean("edited"),
                AttachmentSql.fromJson(rs.getString("attachment")));
    }
}
