package dev.symbolon.keyvault.store;

import dev.symbolon.contracts.Secret;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A short, non-secret name for a key's value: the first 64 bits of its SHA-256. Enough to tell
 * keys apart in audit logs and to notice a changed value; useless for rebuilding a
 * high-entropy provider key.
 */
public final class KeyFingerprint {

    public static String of(Secret key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.revealBytes());
            return "sha256:" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private KeyFingerprint() {}
}
