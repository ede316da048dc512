package dev.symbolon.contracts;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The split-key scheme's cryptography, shared by key-vault-service (which seals) and the edge (which
 * opens). A tenant's provider key {@code K} is sealed as {@code S = AES-256-GCM(key = C, K, aad)} with
 * a random 256-bit client part {@code C} that only the tenant keeps; the associated data binds
 * {@code S} to its tenant, key id, version and provider, so a server part copied onto another key does
 * not open. Neither part alone reveals anything about {@code K}.
 *
 * <p>Wire forms: the client part is unpadded base64url (43 characters); {@code S} is
 * {@code nonce(12) || ciphertext || tag(16)}.
 */
public final class SplitKey {

    public static final int CLIENT_PART_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private SplitKey() {}

    /** The associated data of one sealed version. */
    public static byte[] aad(String tenantId, String keyId, int version, String provider) {
        return (tenantId + "|" + keyId + "|" + version + "|" + provider).getBytes(StandardCharsets.UTF_8);
    }

    /** A fresh random client part (the caller zeroes it once it has been encoded and used). */
    public static byte[] newClientPart() {
        byte[] clientPart = new byte[CLIENT_PART_BYTES];
        RANDOM.nextBytes(clientPart);
        return clientPart;
    }

    /** Seals a provider key under a client part. */
    public static byte[] seal(byte[] clientPart, byte[] apiKey, byte[] aad) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, clientPart, nonce, aad);
            byte[] sealed = cipher.doFinal(apiKey);
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length)
                    .put(nonce)
                    .put(sealed)
                    .array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing failed", e);
        }
    }

    /**
     * Opens a sealed server part with a client part; empty when they do not belong together (wrong
     * client part, another key's server part, tampering). The caller zeroes the result once used.
     */
    public static Optional<byte[]> open(byte[] clientPart, byte[] sealed, byte[] aad) {
        if (clientPart == null
                || clientPart.length != CLIENT_PART_BYTES
                || sealed == null
                || sealed.length < NONCE_BYTES + TAG_BITS / 8) {
            return Optional.empty();
        }
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, clientPart, Arrays.copyOf(sealed, NONCE_BYTES), aad);
            return Optional.of(cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES));
        } catch (AEADBadTagException e) {
            return Optional.empty();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("opening failed", e);
        }
    }

    /** The client part as the tenant receives and sends it. */
    public static String encodeClientPart(byte[] clientPart) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(clientPart);
    }

    /**
     * The client part from its header value (base64url or standard base64, padding optional); empty
     * when it is not one.
     */
    public static Optional<byte[]> decodeClientPart(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String trimmed = value.trim().replace('+', '-').replace('/', '_');
        while (trimmed.endsWith("=")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        try {
            byte[] decoded = Base64.getUrlDecoder().decode(trimmed);
            if (decoded.length != CLIENT_PART_BYTES) {
                Arrays.fill(decoded, (byte) 0);
                return Optional.empty();
            }
            return Optional.of(decoded);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Cipher cipher(int mode, byte[] key, byte[] nonce, byte[] aad) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(aad);
        return cipher;
    }
}
