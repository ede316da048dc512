package dev.symbolon.support.web;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The one rule for which request paths a Symbolon service accepts: those whose raw form (as received)
 * and decoded form (as a router matches it) name the same thing. Authorization decided on the raw path
 * is then decided on exactly what the handler sees, and a proxied path is sent upstream as checked.
 *
 * <p>Refused: anything not starting with {@code /}; empty segments ({@code //}); dot segments
 * ({@code .}, {@code ..}); {@code ;} (path parameters, which routers strip before matching); a
 * backslash; raw characters outside RFC 3986's path characters (controls, space, non-ASCII,
 * {@code "<>^`{|}}); malformed escapes; escapes of characters that need none (letters, digits,
 * {@code -._~}), of delimiters ({@code / \ ; %}, so no double encoding) or of controls; escaped bytes
 * that are not well-formed UTF-8 (overlong forms such as {@code %c0%ae} included). Other escapes
 * ({@code %20}, {@code %3A}, {@code %C3%A9}) stay: they decode to one unambiguous character.
 */
public final class CanonicalPath {

    /** Longer request paths are refused outright. */
    public static final int MAX_LENGTH = 2048;

    private static final String RAW_ALLOWED = "-._~!$&'()*+,=:@/";

    /** Why the raw path is not canonical, or {@code null} when it is. */
    public static String problem(String rawPath) {
        if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            return "The request path must start with '/'.";
        }
        if (rawPath.length() > MAX_LENGTH) {
            return "The request path is longer than " + MAX_LENGTH + " characters.";
        }
        int i = 0;
        while (i < rawPath.length()) {
            char c = rawPath.charAt(i);
            if (c == '%') {
                int end = escapedRunEnd(rawPath, i);
                if (end < 0) {
                    return "The request path has a malformed percent-escape.";
                }
                String problem = escapedRunProblem(rawPath, i, end);
                if (problem != null) {
                    return problem;
                }
                i = end;
                continue;
            }
            if (c == ';') {
                return "The request path contains ';' (path parameters are not accepted).";
            }
            if (c == '\\') {
                return "The request path contains a backslash.";
            }
            if (!isRawAllowed(c)) {
                return "The request path contains a character that must be percent-encoded.";
            }
            if (c == '/' && i + 1 < rawPath.length() && rawPath.charAt(i + 1) == '/') {
                return "The request path contains an empty segment ('//').";
            }
            i++;
        }
        return dotSegments(rawPath) ? "The request path contains a '.' or '..' segment." : null;
    }

    public static boolean isCanonical(String rawPath) {
        return problem(rawPath) == null;
    }

    private static boolean isRawAllowed(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || RAW_ALLOWED.indexOf(c) >= 0;
    }

    /** The end of a run of consecutive {@code %HH} escapes starting at {@code start}, or -1 if one is malformed. */
    private static int escapedRunEnd(String path, int start) {
        int i = start;
        while (i < path.length() && path.charAt(i) == '%') {
            if (i + 2 >= path.length() || hex(path.charAt(i + 1)) < 0 || hex(path.charAt(i + 2)) < 0) {
                return -1;
            }
            i += 3;
        }
        return i;
    }

    private static String escapedRunProblem(String path, int start, int end) {
        byte[] bytes = new byte[(end - start) / 3];
        for (int b = 0, i = start; i < end; i += 3, b++) {
            bytes[b] = (byte) (hex(path.charAt(i + 1)) << 4 | hex(path.charAt(i + 2)));
        }
        CharBuffer decoded;
        try {
            decoded = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            return "The request path has percent-escapes that are not valid UTF-8.";
        }
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                return "The request path percent-encodes a character that needs no encoding.";
            }
            if (c == '/' || c == '\\' || c == ';' || c == '%') {
                return "The request path percent-encodes a delimiter ('/', '\\', ';' or '%').";
            }
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                return "The request path percent-encodes a control character.";
            }
        }
        return null;
    }

    private static boolean dotSegments(String path) {
        int start = 1;
        while (start <= path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            int length = end - start;
            if ((length == 1 && path.charAt(start) == '.')
                    || (length == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.')) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private CanonicalPath() {}
}
