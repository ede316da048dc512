package dev.symbolon.support.kafka;

import dev.symbolon.contracts.EventJson;
import java.sql.SQLException;
import java.util.Set;
import org.springframework.dao.DataIntegrityViolationException;

/**
 * Tells a failure of one record (it will fail however often it is retried: malformed, or data the
 * database refuses) from an outage (the database or broker is away: retry until it is back). The one
 * rule every consumer of every topic uses: a record-level failure goes to {@code <topic>.dlt} at once
 * and never holds its partition; anything else is retried, never dead-lettered.
 */
public final class RecordFailure {

    /**
     * PostgreSQL SQLSTATE classes that name the data, not the server: 22 data exception (NUL bytes,
     * bad encoding, values out of range, too long), 23 integrity constraint violation, 54 program
     * limit exceeded (e.g. an index row too large).
     */
    private static final Set<String> DATA_CLASSES = Set.of("22", "23", "54");

    /** Whether this failure belongs to the record itself. */
    public static boolean isRecordLevel(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof EventJson.MalformedEventException || t instanceof DataIntegrityViolationException) {
                return true;
            }
            if (t instanceof SQLException sql
                    && sql.getSQLState() != null
                    && sql.getSQLState().length() >= 2) {
                return DATA_CLASSES.contains(sql.getSQLState().substring(0, 2));
            }
        }
        return false;
    }

    /**
     * The exception that says what went wrong: the malformed-event or SQL exception in the chain,
     * else its root cause (never a framework wrapper).
     */
    public static Throwable culprit(Throwable failure) {
        Throwable root = failure;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof EventJson.MalformedEventException || t instanceof SQLException) {
                return t;
            }
            root = t;
        }
        return root;
    }

    /**
     * A short reason for a dead letter's headers and the log: the culprit's type and, for SQL, its
     * SQLSTATE. Never the message, which may quote the record.
     */
    public static String reason(Throwable failure) {
        Throwable culprit = culprit(failure);
        return culprit.getClass().getSimpleName()
                + (culprit instanceof SQLException sql && sql.getSQLState() != null
                        ? " (SQLSTATE " + sql.getSQLState() + ")"
                        : "");
    }

    private RecordFailure() {}
}
