package dev.symbolon.admin.apps;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "app")
public class App {

    @Id
    @Column(name = "app_id")
    private String appId;

    @Column(name = "tenant_id", nullable = false)
    private String tenantId;

    @Column(nullable = false)
    private String name;

    @Column(nullable = false)
    private String status;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    protected App() {}

    App(String appId, String tenantId, String name, Instant now) {
        this.appId = appId;
        this.tenantId = tenantId;
        this.name = name;
        this.status = "ACTIVE";
        this.createdAt = now;
        this.updatedAt = now;
    }

    void update(String name, String status, Instant now) {
        if (name != null) {
            this.name = name;
        }
        if (status != null) {
            this.status = status;
        }
        this.updatedAt = now;
    }

    public String appId() {
        return appId;
    }

    public String tenantId() {
        return tenantId;
    }

    public String name() {
        return name;
    }

    public String status() {
        return status;
    }

    AppView view() {
        return new AppView(appId, tenantId, name, status, createdAt, updatedAt);
    }

    /** An app as the API shows it. */
    public record AppView(
            String appId, String tenantId, String name, String status, Instant createdAt, Instant updatedAt) {}
}
