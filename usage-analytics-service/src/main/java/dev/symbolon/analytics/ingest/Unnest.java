package dev.symbolon.analytics.ingest;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A batch of rows sent as one array per column and unnested by PostgreSQL: one statement and one
 * round trip per batch, whatever its size.
 */
final class Unnest {

    private Unnest() {}

    /** {@code ?::uuid[], ?::text[], …}: the parameters of {@code unnest(…)} for these column types. */
    static String parameters(String... types) {
        return Arrays.stream(types).map(type -> "?::" + type + "[]").collect(Collectors.joining(", "));
    }

    /** Binds each column of {@code rows} as an array of its type, runs {@code statement}, frees the arrays. */
    static <R> R execute(Connection connection, String sql, String[] types, List<Object[]> rows, Run<R> run)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            List<Array> arrays = new ArrayList<>(types.length);
            try {
                for (int c = 0; c < types.length; c++) {
                    Object[] column = new Object[rows.size()];
                    for (int r = 0; r < column.length; r++) {
                        column[r] = rows.get(r)[c];
                    }
                    Array array = connection.createArrayOf(types[c], column);
                    arrays.add(array);
                    statement.setArray(c + 1, array);
                }
                return run.apply(statement);
            } finally {
                for (Array array : arrays) {
                    array.free();
                }
            }
        }
    }

    interface Run<R> {
        R apply(PreparedStatement statement) throws SQLException;
    }
}
