package dev.symbolon.keyvault.keys;

/**
 * Who asked for a key operation, as the calling service tells it ({@code X-Symbolon-Actor},
 * {@code X-Symbolon-Actor-Role}, {@code X-Forwarded-For}, {@code x-request-id}); key-vault-service
 * itself for configured and scheduled work. Goes to the audit log.
 */
public record Actor(String name, String role, String sourceIp, String requestId) {

    public static final Actor SYSTEM = new Actor("key-vault-service", "service", null, null);

    public Actor {
        name = name == null || name.isBlank() ? "unknown-service" : name;
        role = role == null || role.isBlank() ? "service" : role;
    }
}
