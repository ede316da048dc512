package dev.symbolon.contracts;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 of an app credential under the server pepper, as lowercase hex: the form in which
 * admin-api stores credentials and {@code tenant-config.v1} carries them, and in which the edge looks
 * up a presented one. Only this hash is stored or sent anywhere; a leaked table of hashes cannot be
 * brute-forced without the pepper.
 */
public final class CredentialHasher {

    private static final String ALGORITHM = "HmacSHA256";

    /** Initialised once; each hash works on a clone, since a Mac is not thread-safe. */
    private final Mac prototype;

    public CredentialHasher(Secret pepper) {
        if (pepper.isEmpty()) {
            throw new IllegalArgumentException("credential pepper must not be empty");
        }
        try {
            this.prototype = Mac.getInstance(ALGORITHM);
            prototype.init(new SecretKeySpec(pepper.revealBytes(), ALGORITHM));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    public String hash(String credential) {
        try {
            Mac mac = (Mac) prototype.clone();
            return HexFormat.of().formatHex(mac.doFinal(credential.getBytes(StandardCharsets.UTF_8)));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HmacSHA256 implementation cannot be cloned", e);
        }
    }
}
