package io.parley.storage;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.protocol.json.Json;
import io.parley.protocol.model.Attachment;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Statements on {@code attachments}, and the copy of an attachment a message row keeps. A file's
 * reference count moves in the same transaction as the messages that take or drop it.
 */
final class AttachmentSql {
    private static final String COLUMNS =
            "id, chat_id, uploader_id, media_type, byte_size, width, height, file_name, created_at, expires_at";
    private static final String INSERT = "INSERT INTO attachments (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String FIND = "SELECT " + COLUMNS + " FROM attachments WHERE id = ?";
    private static final String DUE = "SELECT " + COLUMNS + " FROM attachments WHERE expires_at <= ?"
            + " ORDER BY expires_at LIMIT ?";
    // Only if still due: a message may have taken it since the scan.
    private static final String DELETE_DUE = "DELETE FROM attachments WHERE id = ? AND refs = 0 AND expires_at <= ?";
    static final String REFERENCE = "UPDATE attachments SET refs = refs + 1, expires_at = NULL WHERE id = ?";
    private static final String RELEASE = "UPDATE attachments SET refs = refs - 1,"
            + " expires_at = CASE WHEN refs <= 1 THEN ? ELSE expires_at END WHERE id = ? AND refs > 0";

    private AttachmentSql() {
    }

    static void insert(Connection c, StoredAttachment stored) throws SQLException {
        Attachment a = stored.attachment();
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setString(1, a.id());
            ps.setString(2, stored.chatId());
            ps.setString(3, stored.uploaderId());
            ps.setString(4, a.mediaType());
            ps.setLong(5, a.size());
            setNullableInt(ps, 6, a.width());
            setNullableInt(ps, 7, a.height());
            ps.setString(8, a.name());
            Rows.setInstant(ps, 9, stored.createdAt());
            Rows.setNullableInstant(ps, 10, stored.expiresAt());
            ps.executeUpdate();
        }
    }

    static Optional<StoredAttachment> find(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(FIND)) {
            ps.setString(1, id);
            List<StoredAttachment> found = list(ps);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    static List<StoredAttachment> due(Connection c, Instant now, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(DUE)) {
            Rows.setInstant(ps, 1, now);
            ps.setInt(2, limit);
            return list(ps);
        }
    }

    static boolean deleteDue(Connection c, String id, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(DELETE_DUE)) {
            ps.setString(1, id);
            Rows.setInstant(ps, 2, now);
            return ps.executeUpdate() == 1;
        }
    }

    /** One more message carries each of these files (a file twice in the list: two more). */
    static void reference(Connection c, List<String> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(REFERENCE)) {
            for (String id : ids) {
                ps.setString(1, id);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** One message fewer carries the file; the last one gone makes it due at {@code at}. */
    static void release(Connection c, String id, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RELEASE)) {
            Rows.setInstant(ps, 1, at);
            ps.setString(2, id);
            ps.executeUpdate();
        }
    }

    /**
     * The message row's copy: {@code null} for none. A stored format of its own, not the dialects'
     * JSON (AttachmentJson): what clients are shown may change without touching stored rows.
     */
    static String toJson(Attachment a) {
        if (a == null) {
            return null;
        }
        byte[] json = Json.write(gen -> {
            gen.writeStartObject();
            gen.writeStringField("id", a.id());
            gen.writeStringField("media_type", a.mediaType());
            gen.writeNumberField("size", a.size());
            if (a.width() != null && a.height() != null) {
                gen.writeNumberField("width", a.width());
                gen.writeNumberField("height", a.height());
            }
            if (a.name() != null) {
                gen.writeStringField("name", a.name());
            }
            gen.writeEndObject();
        });
        return new String(json, StandardCharsets.UTF_8);
    }

    static Attachment fromJson(String json) {
        if (json == null) {
            return null;
        }
        byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
        JsonNode node = Json.readObject(utf8, 0, utf8.length);
        return new Attachment(node.get("id").textValue(), node.get("media_type").textValue(),
                node.get("size").longValue(),
                node.hasNonNull("width") ? node.get("width").intValue() : null,
                node.hasNonNull("height") ? node.get("height").intValue() : null,
                node.hasNonNull("name") ? node.get("name").textValue() : null);
    }

    private static List<StoredAttachment> list(PreparedStatement ps) throws SQLException {
        List<StoredAttachment> rows = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Attachment a = new Attachment(rs.getString("id"), rs.getString("media_type"), rs.getLong("byte_size"),
                        nullableInt(rs, "width"), nullableInt(rs, "height"), rs.getString("file_name"));
                rows.add(new StoredAttachment(a, rs.getString("chat_id"), rs.getString("uploader_id"),
                        Rows.instant(rs, "created_at"), Rows.nullableInstant(rs, "expires_at")));
            }
        }
        return rows;
    }

    private static Integer nullableInt(ResultSet rs, String column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }

    private static void setNullableInt(PreparedStatement ps, int index, Integer value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setInt(index, value);
        }
    }
}
