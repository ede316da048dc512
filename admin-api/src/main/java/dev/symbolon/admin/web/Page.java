package dev.symbolon.admin.web;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * One page of a list, and the opaque cursor of the next page (null on the last). Lists are ordered by
 * id; the cursor is the last id seen, so pages stay stable while rows are added.
 */
public record Page<T>(List<T> items, String nextCursor) {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 200;

    /** Builds a page from up to {@code limit + 1} rows, the extra one only telling that more exist. */
    public static <T> Page<T> of(List<T> rowsPlusOne, int limit, Function<T, String> id) {
        if (rowsPlusOne.size() <= limit) {
            return new Page<>(rowsPlusOne, null);
        }
        List<T> items = rowsPlusOne.subList(0, limit);
        return new Page<>(List.copyOf(items), encode(id.apply(items.get(limit - 1))));
    }

    /** The id after which the page starts; empty string for the first page. */
    public static String after(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return "";
        }
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("cursor is not a cursor this API returned");
        }
    }

    public static int limit(Integer requested) {
        int limit = requested == null ? DEFAULT_LIMIT : requested;
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.badRequest("limit must be between 1 and " + MAX_LIMIT);
        }
        return limit;
    }

    private static String encode(String id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(id.getBytes(StandardCharsets.UTF_8));
    }
}
