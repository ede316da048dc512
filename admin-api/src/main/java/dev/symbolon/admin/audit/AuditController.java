package dev.symbolon.admin.audit;

import dev.symbolon.admin.auth.AdminPrincipal;
import dev.symbolon.admin.web.Page;
import java.time.Instant;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /admin/audit}: query the log, verify its chain. */
@RestController
class AuditController {

    private final AuditLog audit;

    AuditController(AuditLog audit) {
        this.audit = audit;
    }

    @GetMapping("/admin/audit")
    Page<AuditLog.EntryView> query(
            AdminPrincipal principal,
            @RequestParam(required = false) String tenantId,
            @RequestParam(required = false) String actor,
            @RequestParam(required = false) String action,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to,
            @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit) {
        return audit.query(principal, tenantId, actor, action, from, to, cursor, limit);
    }

    @GetMapping("/admin/audit/verify")
    AuditLog.Verification verify(AdminPrincipal principal) {
        return audit.verify(principal);
    }
}
