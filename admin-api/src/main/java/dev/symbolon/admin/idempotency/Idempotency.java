package dev.symbolon.admin.idempotency;

import dev.symbolon.admin.auth.AdminPrincipal;
import dev.symbolon.admin.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Makes create requests safe to retry. With an {@code Idempotency-Key} header (per actor), the first
 * request runs and its response is kept, in the same transaction; a retry with the same key and the
 * same request gets that response again (header {@code Idempotent-Replayed: true}), with any secret
 * removed: a secret is shown once, never stored. The same key with a different request is a 409.
 */
@Component
public class Idempotency {

    public static final String HEADER = "Idempotency-Key";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;

    Idempotency(JdbcClient jdbc, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    /**
     * Runs a create once per key.
     *
     * @param request what identifies the request (method, path, body) for the same-request check
     * @param secretFields top-level response fields to drop before storing (e.g. {@code key})
     */
    public ResponseEntity<Object> create(
            AdminPrincipal actor, String key, Object request, List<String> secretFields, Supplier<Object> action) {
        if (key == null) {
            return ResponseEntity.status(HttpStatus.CREATED).body(action.get());
        }
        if (key.isBlank() || key.length() > 200) {
            throw ApiException.badRequest(HEADER + " must be 1 to 200 characters");
        }
        String requestHash = hash(request);
        try {
            return transactions.execute(tx -> {
                Stored stored = find(actor, key);
                if (stored != null) {
                    return replay(stored, requestHash);
                }
                Object result = action.get();
                JsonNode kept = JSON.valueToTree(result);
                if (kept instanceof ObjectNode object) {
                    secretFields.forEach(object::remove);
                }
                jdbc.sql("insert into idempotency_record (actor, key, request_hash, status, response)"
                                + " values (:actor, :key, :hash, 201, cast(:response as jsonb))")
                        .param("actor", actor.subject())
                        .param("key", key)
                        .param("hash", requestHash)
                        .param("response", JSON.writeValueAsString(kept))
                        .update();
                return ResponseEntity.status(HttpStatus.CREATED).body(result);
            });
        } catch (DuplicateKeyException e) {
            // A concurrent request with the same key won; its answer is now stored.
            Stored stored = find(actor, key);
            if (stored == null) {
                throw ApiException.conflict("A request with this " + HEADER + " is in progress; retry.");
            }
            return replay(stored, requestHash);
        }
    }

    private ResponseEntity<Object> replay(Stored stored, String requestHash) {
        if (!stored.requestHash().equals(requestHash)) {
            throw ApiException.conflict(HEADER + " was already used for a different request.");
        }
        return ResponseEntity.status(stored.status())
                .header("Idempotent-Replayed", "true")
                .body(JSON.readTree(stored.response()));
    }

    private Stored find(AdminPrincipal actor, String key) {
        return jdbc.sql("select request_hash, status, response::text from idempotency_record"
                        + " where actor = :actor and key = :key")
                .param("actor", actor.subject())
                .param("key", key)
                .query((rs, n) -> new Stored(rs.getString(1), rs.getInt(2), rs.getString(3)))
                .optional()
                .orElse(null);
    }

    private static String hash(Object request) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256")
                            .digest(JSON.writeValueAsString(request).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Stored(String requestHash, int status, String response) {}
}
