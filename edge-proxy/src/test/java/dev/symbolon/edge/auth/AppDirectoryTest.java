package dev.symbolon.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.symbolon.contracts.CredentialHasher;
import dev.symbolon.contracts.Secret;
import dev.symbolon.contracts.TenantConfigSnapshot;
import dev.symbolon.contracts.TenantConfigSnapshot.Status;
import dev.symbolon.edge.EdgeProperties;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class AppDirectoryTest {

    static final Secret PEPPER = Secret.of("pepper");
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    final AppDirectory directory = new AppDirectory(properties(), Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void a_credential_of_an_active_app_is_accepted_as_its_tenant_and_app() {
        directory.apply(
                snapshot("t_1", 1, Status.ACTIVE, app("app_1", Status.ACTIVE, credential("cred_a", "key-a", null))));

        assertThat(directory.authenticate("key-a"))
                .isInstanceOfSatisfying(AppDirectory.Accepted.class, accepted -> assertThat(accepted.identity())
                        .isEqualTo(new AppIdentity("t_1", "app_1")));
        assertThat(directory.authenticate("key-b")).isInstanceOf(AppDirectory.Unknown.class);
        assertThat(directory.authenticate(null)).isInstanceOf(AppDirectory.Unknown.class);
    }

    @Test
    void an_expired_credential_is_unknown() {
        directory.apply(snapshot(
                "t_1",
                1,
                Status.ACTIVE,
                app(
                        "app_1",
                        Status.ACTIVE,
                        credential("c1", "old", NOW),
                        credential("c2", "new", NOW.plusSeconds(60)))));

        assertThat(directory.authenticate("old")).isInstanceOf(AppDirectory.Unknown.class);
        assertThat(directory.authenticate("new")).isInstanceOf(AppDirectory.Accepted.class);
    }

    @Test
    void a_suspended_tenant_or_app_is_told_apart_from_an_unknown_credential() {
        directory.apply(snapshot("t_1", 1, Status.SUSPENDED, app("app_1", Status.ACTIVE, credential("c", "k1", null))));
        directory.apply(snapshot("t_2", 1, Status.ACTIVE, app("app_2", Status.SUSPENDED, credential("c", "k2", null))));

        assertThat(directory.authenticate("k1"))
                .isEqualTo(new AppDirectory.Suspended(new AppIdentity("t_1", "app_1"), "tenant"));
        assertThat(directory.authenticate("k2"))
                .isEqualTo(new AppDirectory.Suspended(new AppIdentity("t_2", "app_2"), "app"));
    }

    @Test
    void a_newer_snapshot_replaces_the_tenant_so_a_revoked_credential_stops_working() {
        directory.apply(snapshot("t_1", 1, Status.ACTIVE, app("app_1", Status.ACTIVE, credential("c1", "k1", null))));

        directory.apply(snapshot("t_1", 2, Status.ACTIVE, app("app_1", Status.ACTIVE, credential("c2", "k2", null))));

        assertThat(directory.authenticate("k1")).isInstanceOf(AppDirectory.Unknown.class);
        assertThat(directory.authenticate("k2")).isInstanceOf(AppDirectory.Accepted.class);
    }

    @Test
    void an_older_snapshot_arriving_late_changes_nothing() {
        directory.apply(snapshot("t_1", 5, Status.ACTIVE, app("app_1", Status.ACTIVE, credential("c2", "k2", null))));

        directory.apply(snapshot("t_1", 4, Status.ACTIVE, app("app_1", Status.ACTIVE, credential("c1", "k1", null))));

        assertThat(directory.authenticate("k1")).isInstanceOf(AppDirectory.Unknown.class);
        assertThat(directory.authenticate("k2")).isInstanceOf(AppDirectory.Accepted.class);
    }

    @Test
    void a_deleted_tenant_is_forgotten() {
        directory.apply(snapshot("t_1", 1, Status.ACTIVE, app("app_1", Status.ACTIVE, credential("c1", "k1", null))));

        directory.remove("t_1");

        assertThat(directory.authenticate("k1")).isInstanceOf(AppDirectory.Unknown.class);
        assertThat(directory.tenantCount()).isZero();
    }

    @Test
    void platform_rules_are_global_and_not_a_tenant() throws Exception {
        directory.apply(new TenantConfigSnapshot(
                UUID.randomUUID(),
                NOW,
                "_platform",
                1,
                3,
                Status.ACTIVE,
                "UTC",
                null,
                new TenantConfigSnapshot.IpRules(List.of(), List.of("192.0.2.0/24")),
                List.of(),
                List.of(),
                List.of()));

        assertThat(directory.tenantCount()).isZero();
        assertThat(directory.globalRules().allows(java.net.InetAddress.getByName("192.0.2.9")))
                .isFalse();
        assertThat(directory.globalRules().allows(java.net.InetAddress.getByName("198.51.100.9")))
                .isTrue();
    }

    private static TenantConfigSnapshot snapshot(
            String tenantId, long revision, Status status, TenantConfigSnapshot.App app) {
        return new TenantConfigSnapshot(
                UUID.randomUUID(),
                NOW,
                tenantId,
                1,
                revision,
                status,
                "UTC",
                null,
                null,
                List.of(app),
                List.of(),
                List.of());
    }

    private static TenantConfigSnapshot.App app(
            String appId, Status status, TenantConfigSnapshot.Credential... credentials) {
        return new TenantConfigSnapshot.App(appId, appId, status, null, List.of(credentials));
    }

    private static TenantConfigSnapshot.Credential credential(String id, String key, Instant expiresAt) {
        return new TenantConfigSnapshot.Credential(
                id, new CredentialHasher(PEPPER).hash(key), Status.ACTIVE, expiresAt);
    }

    private static EdgeProperties properties() {
        return new EdgeProperties(
                PEPPER,
                new EdgeProperties.KeyVault(URI.create("http://localhost:1"), Secret.of("t"), Duration.ofMinutes(1)),
                Map.of(),
                Map.of(),
                DataSize.ofMegabytes(1),
                Duration.ofSeconds(5),
                Duration.ofSeconds(5),
                List.of(),
                new EdgeProperties.UsageJournal(java.nio.file.Path.of("target/journal"), DataSize.ofMegabytes(1), 10),
                new EdgeProperties.AppTokens(Secret.of("0123456789abcdef0123456789abcdef"), Duration.ofMinutes(15)),
                new EdgeProperties.AdminApi(URI.create("http://localhost:1"), Secret.of("t")),
                new EdgeProperties.Analytics(URI.create("http://localhost:9"), Secret.of("t")),
                null,
                null,
                null,
                null,
                null);
    }
}
