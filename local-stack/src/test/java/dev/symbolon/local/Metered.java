package dev.symbolon.local;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;

/** What analytics has stored for a list of request ids, read from its table directly. */
final class Metered {

    /** Distinct requests of the list that analytics has stored. */
    static long facts(LocalStack stack, List<String> requestIds) throws Exception {
        return query(
                stack,
                "select count(distinct request_id) from analytics.usage_fact where request_id = any(?)",
                requestIds);
    }

    /** Rows for the list: more than {@link #facts} would mean a request stored twice. */
    static long rows(LocalStack stack, List<String> requestIds) throws Exception {
        return query(stack, "select count(*) from analytics.usage_fact where request_id = any(?)", requestIds);
    }

    private static long query(LocalStack stack, String sql, List<String> requestIds) throws Exception {
        try (Connection db = DriverManager.getConnection(stack.postgresJdbcUrl(), "postgres", "");
                PreparedStatement statement = db.prepareStatement(sql)) {
            statement.setArray(1, db.createArrayOf("text", requestIds.toArray()));
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private Metered() {}
}
