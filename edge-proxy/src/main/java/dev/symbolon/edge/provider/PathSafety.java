package dev.symbolon.edge.provider;

import java.util.Locale;

/**
 * Refuses request paths that could address something other than what they appear to: dot segments,
 * empty segments, encoded dots, slashes or backslashes. Upstream paths are then built from the raw
 * path as received, so what was checked is what is sent.
 */
public final class PathSafety {

    public static boolean isSafe(String rawPath) {
        if (rawPath.isEmpty() || rawPath.charAt(0) != '/' || rawPath.contains("//") || rawPath.indexOf('\\') >= 0) {
            return false;
        }
        String lower = rawPath.toLowerCase(Locale.ROOT);
        if (lower.contains("%2e") || lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00")) {
            return false;
        }
        for (String segment : rawPath.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private PathSafety() {}
}
