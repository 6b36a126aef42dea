package io.parley.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Statements on {@code revocations}. Each method runs inside the caller's transaction. */
final class RevocationSql {
    // A revocation never moves back: an older "before" arriving late leaves a newer one in place.
    private static final String UPDATE =
            "UPDATE revocations SET revoked_before = ? WHERE user_id = ? AND revoked_before < ?";
    private static final String INSERT =
            "INSERT INTO revocations (user_id, revoked_before) VALUES (?, ?) ON CONFLICT DO NOTHING";
    private static final String SELECT_ALL = "SELECT user_id, revoked_before FROM revocations";
    private static final String SELECT_ONE = "SELECT revoked_before FROM revocations WHERE user_id = ?";

    private RevocationSql() {
    }

    /** Records the revocation and returns the user's revocation as it stands now (the later one). */
    static Instant revoke(Connection c, String userId, Instant before) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setString(1, userId);
            Rows.setInstant(ps, 2, before);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
            Rows.setInstant(ps, 1, before);
            ps.setString(2, userId);
            Rows.setInstant(ps, 3, before);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(SELECT_ONE)) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Rows.instant(rs, "revoked_before");
            }
        }
    }

    static Map<String, Instant> all(Connection c) throws SQLException {
        Map<String, Instant> all = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(SELECT_ALL); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                all.put(rs.getString("user_id"), Rows.instant(rs, "revoked_before"));
            }
        }
        return all;
    }
}
