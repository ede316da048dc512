package dev.symbolon.admin.web;

import java.security.SecureRandom;

/** Public ids ({@code t_…}, {@code app_…}) and secrets ({@code sym_live_…}) drawn from a CSPRNG. */
public final class Ids {

    private static final String ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";
    private static final String SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A public id: prefix plus 16 characters (80 bits). */
    public static String id(String prefix) {
        return prefix + draw(ALPHABET, 16);
    }

    /** A credential: prefix plus 40 characters (~232 bits). */
    public static String secret(String prefix) {
        return prefix + draw(SECRET_ALPHABET, 40);
    }

    private static String draw(String alphabet, int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    private Ids() {}
}
