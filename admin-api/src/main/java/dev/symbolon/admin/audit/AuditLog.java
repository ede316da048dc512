package dev.symbolon.admin.audit;

import dev.symbolon.admin.auth.Access;
import dev.symbolon.admin.auth.AdminPrincipal;
import dev.symbolon.admin.web.ApiException;
import dev.symbolon.admin.web.Page;
import dev.symbolon.contracts.AuditEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The append-only, hash-chained audit log. Entries are appended in the transaction of the change
 * they record, one writer at a time (an advisory lock), each hash covering the entry's content and its
 * predecessor's hash. Secrets never get here: callers pass redacted details only.
 */
@Component
public class AuditLog {

    static final String GENESIS = "0".repeat(64);
    private static final long LOCK_ID = 0x5359_4D41_5544L; // "SYMAUD"
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<TreeMap<String, String>> DETAILS = new TypeReference<>() {};

    private final JdbcClient jdbc;

    AuditLog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records an admin-api operation, in the caller's transaction. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void record(
            AdminPrincipal actor, String action, String tenantId, String target, Map<String, String> details) {
        append(new Entry(
                0,
                UUID.randomUUID(),
                Instant.now().truncatedTo(ChronoUnit.MICROS),
                tenantId,
                actor.subject(),
                actor.role().wireName(),
                action,
                target,
                "admin-api",
                actor.sourceIp(),
                actor.requestId(),
                new TreeMap<>(details),
                null,
                null));
    }

    /**
     * Records an entry another service sent on {@code audit.v1}; a redelivered event is recorded once.
     *
     * @return whether it was new
     */
    @Transactional
    public boolean record(AuditEvent event) {
        lock();
        Boolean known = jdbc.sql("select exists (select 1 from audit_entry where entry_id = :id)")
                .param("id", event.eventId())
                .query(Boolean.class)
                .single();
        if (known) {
            return false;
        }
        append(new Entry(
                0,
                event.eventId(),
                event.occurredAt().truncatedTo(ChronoUnit.MICROS),
                event.tenantId(),
                event.actor() == null ? "unknown" : event.actor(),
                event.actorRole() == null ? "service" : event.actorRole(),
                event.action(),
                event.target(),
                event.service() == null ? "unknown" : event.service(),
                event.sourceIp(),
                event.requestId(),
                new TreeMap<>(event.details()),
                null,
                null));
        return true;
    }

    private void append(Entry entry) {
        lock();
        Last last = jdbc.sql("select seq, hash from audit_entry order by seq desc limit 1")
                .query((rs, n) -> new Last(rs.getLong("seq"), rs.getString("hash")))
                .optional()
                .orElse(new Last(0, GENESIS));
        Entry chained = entry.chained(last.seq() + 1, last.hash());
        jdbc.sql(
                        """
                        insert into audit_entry (seq, entry_id, occurred_at, tenant_id, actor, actor_role, action,
                            target, service, source_ip, request_id, details, prev_hash, hash)
                        values (:seq, :entryId, :occurredAt, :tenantId, :actor, :actorRole, :action,
                            :target, :service, :sourceIp, :requestId, cast(:details as jsonb), :prevHash, :hash)
                        """)
                .param("seq", chained.seq())
                .param("entryId", chained.entryId())
                .param("occurredAt", Timestamp.from(chained.occurredAt()))
                .param("tenantId", chained.tenantId())
                .param("actor", chained.actor())
                .param("actorRole", chained.actorRole())
                .param("action", chained.action())
                .param("target", chained.target())
                .param("service", chained.service())
                .param("sourceIp", chained.sourceIp())
                .param("requestId", chained.requestId())
                .param("details", JSON.writeValueAsString(chained.details()))
                .param("prevHash", chained.prevHash())
                .param("hash", chained.hash())
                .update();
    }

    private void lock() {
        jdbc.sql("select pg_advisory_xact_lock(:id)")
                .param("id", LOCK_ID)
                .query()
                .singleRow();
    }

    /** Recomputes the whole chain; the first entry that does not match is reported. */
    @Transactional(readOnly = true)
    public Verification verify(AdminPrincipal actor) {
        Access.require(actor, Access.Operation.AUDIT_VERIFY);
        long expectedSeq = 1;
        String previous = GENESIS;
        while (true) {
            List<Entry> page = jdbc.sql("select * from audit_entry where seq >= :from order by seq limit 1000")
                    .param("from", expectedSeq)
                    .query((rs, n) -> Entry.read(rs))
                    .list();
            if (page.isEmpty()) {
                return new Verification(true, expectedSeq - 1, null, null);
            }
            for (Entry entry : page) {
                if (entry.seq() != expectedSeq) {
                    return new Verification(false, expectedSeq - 1, expectedSeq, "entry missing");
                }
                if (!entry.prevHash().equals(previous)) {
                    return new Verification(false, expectedSeq - 1, entry.seq(), "previous hash does not match");
                }
                if (!entry.hash().equals(entry.computeHash())) {
                    return new Verification(false, expectedSeq - 1, entry.seq(), "content does not match its hash");
                }
                previous = entry.hash();
                expectedSeq++;
            }
        }
    }

    /** Entries newest first, filtered; a tenant-admin sees its own tenant's entries only. */
    @Transactional(readOnly = true)
    public Page<EntryView> query(
            AdminPrincipal actor,
            String tenantId,
            String actorFilter,
            String action,
            Instant from,
            Instant to,
            String cursor,
            Integer requestedLimit) {
        Access.require(actor, Access.Operation.AUDIT_READ);
        String tenant = tenantId;
        if (!Access.seesAllTenants(actor)) {
            if (tenantId != null && !tenantId.equals(actor.tenantId())) {
                throw ApiException.notFound("tenant");
            }
            tenant = actor.tenantId();
        }
        int limit = Page.limit(requestedLimit);
        String after = Page.after(cursor);
        long beforeSeq;
        try {
            beforeSeq = after.isEmpty() ? Long.MAX_VALUE : Long.parseLong(after);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("cursor is not a cursor this API returned");
        }
        StringBuilder sql = new StringBuilder("select * from audit_entry where seq < :before");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("before", beforeSeq);
        if (tenant != null) {
            sql.append(" and tenant_id = :tenant");
            params.put("tenant", tenant);
        }
        if (actorFilter != null) {
            sql.append(" and actor = :actor");
            params.put("actor", actorFilter);
        }
        if (action != null) {
            sql.append(" and action = :action");
            params.put("action", action);
        }
        if (from != null) {
            sql.append(" and occurred_at >= :from");
            params.put("from", Timestamp.from(from));
        }
        if (to != null) {
            sql.append(" and occurred_at < :to");
            params.put("to", Timestamp.from(to));
        }
        sql.append(" order by seq desc limit :limit");
        params.put("limit", limit + 1);
        List<EntryView> rows = jdbc.sql(sql.toString())
                .params(params)
                .query((rs, n) -> Entry.read(rs).view())
                .list();
        return Page.of(rows, limit, view -> Long.toString(view.seq()));
    }

    /** Outcome of {@link #verify}. */
    public record Verification(boolean valid, long verifiedEntries, Long firstInvalidSeq, String reason) {}

    /** An entry as the API shows it. */
    public record EntryView(
            long seq,
            UUID entryId,
            Instant occurredAt,
            String tenantId,
            String actor,
            String actorRole,
            String action,
            String target,
            String service,
            String sourceIp,
            String requestId,
            Map<String, String> details,
            String hash) {}

    private record Last(long seq, String hash) {}

    record Entry(
            long seq,
            UUID entryId,
            Instant occurredAt,
            String tenantId,
            String actor,
            String actorRole,
            String action,
            String target,
            String service,
            String sourceIp,
            String requestId,
            TreeMap<String, String> details,
            String prevHash,
            String hash) {

        /** This entry at its place in the chain: its sequence number, its predecessor's hash, its own. */
        Entry chained(long seq, String prevHash) {
            return withLink(seq, prevHash, null).sealed();
        }

        private Entry withLink(long seq, String prevHash, String hash) {
            return new Entry(
                    seq,
                    entryId,
                    occurredAt,
                    tenantId,
                    actor,
                    actorRole,
                    action,
                    target,
                    service,
                    sourceIp,
                    requestId,
                    details,
                    prevHash,
                    hash);
        }

        private Entry sealed() {
            return withLink(seq, prevHash, computeHash());
        }

        /** SHA-256 over a canonical JSON array of every field but the hash itself. */
        String computeHash() {
            List<Object> canonical = new ArrayList<>(Arrays.asList(
                    seq,
                    entryId.toString(),
                    occurredAt.toString(),
                    tenantId,
                    actor,
                    actorRole,
                    action,
                    target,
                    service,
                    sourceIp,
                    requestId,
                    details,
                    prevHash));
            try {
                return HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256")
                                .digest(JSON.writeValueAsString(canonical).getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        static Entry read(java.sql.ResultSet rs) throws java.sql.SQLException {
            return new Entry(
                    rs.getLong("seq"),
                    rs.getObject("entry_id", UUID.class),
                    rs.getTimestamp("occurred_at").toInstant(),
                    rs.getString("tenant_id"),
                    rs.getString("actor"),
                    rs.getString("actor_role"),
                    rs.getString("action"),
                    rs.getString("target"),
                    rs.getString("service"),
                    rs.getString("source_ip"),
                    rs.getString("request_id"),
                    JSON.readValue(rs.getString("details"), DETAILS),
                    rs.getString("prev_hash"),
                    rs.getString("hash"));
        }

        EntryView view() {
            return new EntryView(
                    seq,
                    entryId,
                    occurredAt,
                    tenantId,
                    actor,
                    actorRole,
                    action,
                    target,
                    service,
                    sourceIp,
                    requestId,
                    details,
                    hash);
        }
    }
}
