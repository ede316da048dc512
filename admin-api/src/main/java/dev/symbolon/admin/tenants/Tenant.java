package dev.symbolon.admin.tenants;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "tenant")
public class Tenant {

    @Id
    @Column(name = "tenant_id")
    private String tenantId;

    @Column(nullable = false)
    private String name;

    @Column(nullable = false)
    private String status;

    @Column(name = "time_zone", nullable = false)
    private String timeZone;

    @Column(nullable = false)
    private String plan;

    @Column(nullable = false)
    private long revision;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    protected Tenant() {}

    Tenant(String tenantId, String name, String timeZone, String plan, Instant now) {
        this.tenantId = tenantId;
        this.name = name;
        this.status = "ACTIVE";
        this.timeZone = timeZone;
        this.plan = plan;
        this.createdAt = now;
        this.updatedAt = now;
    }

    /** Records that the tenant or something it owns changed: the next snapshot's revision. */
    public void touch(Instant now) {
        revision++;
        updatedAt = now;
    }

    void rename(String name) {
        this.name = name;
    }

    void setStatus(String status) {
        this.status = status;
    }

    void setTimeZone(String timeZone) {
        this.timeZone = timeZone;
    }

    void setPlan(String plan) {
        this.plan = plan;
    }

    public String tenantId() {
        return tenantId;
    }

    public String status() {
        return status;
    }

    public String timeZone() {
        return timeZone;
    }

    public long revision() {
        return revision;
    }

    public TenantView view() {
        return new TenantView(tenantId, name, status, timeZone, plan, revision, createdAt, updatedAt);
    }

    /** A tenant as the API shows it. */
    public record TenantView(
            String tenantId,
            String name,
            String status,
            String timeZone,
            String plan,
            long revision,
            Instant createdAt,
            Instant updatedAt) {}
}
