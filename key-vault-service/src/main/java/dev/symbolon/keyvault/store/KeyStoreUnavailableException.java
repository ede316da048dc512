package dev.symbolon.keyvault.store;

/**
 * The key store cannot answer: Vault sealed, unreachable, or refusing this service (403). Callers
 * answer 503; nothing is half-done by the store itself.
 */
public class KeyStoreUnavailableException extends RuntimeException {

    /** Why, in words safe for logs and error bodies (never key material or a token). */
    private final String reason;

    public KeyStoreUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
