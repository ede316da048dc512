package dev.symbolon.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsonwebtoken.Jwts;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import tools.jackson.databind.JsonNode;

/** Admin keys, admin tokens and identity-provider tokens. */
class AdminAuthTest extends AdminApiContextTest {

    @Test
    void admin_keys_exchange_for_tokens_that_carry_their_role_and_tenant() {
        JsonNode token = json(expect(tokens.get("tenant-admin"), HttpMethod.POST, "/admin/auth/token", null, 200));
        String jwt = token.path("access_token").asString();
        assertThat(token.path("expires_in").asLong()).isEqualTo(900);

        JsonNode me = json(expect(jwt, HttpMethod.GET, "/admin/whoami", null, 200));

        assertThat(me.path("role").asString()).isEqualTo("TENANT_ADMIN");
        assertThat(me.path("tenantId").asString()).isEqualTo(tenantA);
        assertThat(status(jwt, HttpMethod.GET, "/admin/tenants/" + tenantB, null))
                .isEqualTo(404);
        assertThat(status(jwt.substring(0, jwt.length() - 4) + "AAAA", HttpMethod.GET, "/admin/whoami", null))
                .isEqualTo(401);
        client.get()
                .uri("/admin/.well-known/jwks.json")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.keys[0].kty")
                .isEqualTo("EC");
    }

    @Test
    void a_revoked_admin_key_no_longer_authenticates() {
        JsonNode issued = json(expect(
                BOOTSTRAP, HttpMethod.POST, "/admin/admin-keys", Map.of("role", "finance", "label", "temp"), 201));
        String key = issued.path("key").asString();
        assertThat(status(key, HttpMethod.GET, "/admin/whoami", null)).isEqualTo(200);

        revokeAdminKey(issued);

        assertThat(status(key, HttpMethod.GET, "/admin/whoami", null)).isEqualTo(401);
    }

    @Test
    void a_token_buys_no_token_and_revoking_its_admin_key_ends_the_token_at_once() {
        JsonNode issued = json(expect(
                BOOTSTRAP, HttpMethod.POST, "/admin/admin-keys", Map.of("role", "finance", "label", "temp"), 201));
        String key = issued.path("key").asString();
        String jwt = json(expect(key, HttpMethod.POST, "/admin/auth/token", null, 200))
                .path("access_token")
                .asString();
        assertThat(status(jwt, HttpMethod.GET, "/admin/whoami", null)).isEqualTo(200);
        JsonNode refused = json(expect(jwt, HttpMethod.POST, "/admin/auth/token", null, 403));
        assertThat(refused.path("error").path("type").asString()).isEqualTo("token_not_exchangeable");
        String bootstrapJwt = json(expect(BOOTSTRAP, HttpMethod.POST, "/admin/auth/token", null, 200))
                .path("access_token")
                .asString();
        assertThat(status(bootstrapJwt, HttpMethod.POST, "/admin/auth/token", null))
                .isEqualTo(403);

        revokeAdminKey(issued);

        assertThat(status(jwt, HttpMethod.GET, "/admin/whoami", null)).isEqualTo(401);
        assertThat(status(jwt, HttpMethod.POST, "/admin/auth/token", null)).isEqualTo(401);
        assertThat(status(bootstrapJwt, HttpMethod.GET, "/admin/whoami", null)).isEqualTo(200);
    }

    @Test
    void identity_provider_tokens_carry_their_role_and_are_checked_like_our_own() {
        String officer = idpToken("alice", "security-officer", null, "symbolon-admin", IDP_KEY.getPrivate(), 300);
        JsonNode me = json(expect(officer, HttpMethod.GET, "/admin/whoami", null, 200));
        assertThat(me.path("subject").asString()).isEqualTo("idp:alice");
        assertThat(me.path("role").asString()).isEqualTo("SECURITY_OFFICER");

        String tenantAdmin = idpToken("bob", "tenant-admin", tenantA, "symbolon-admin", IDP_KEY.getPrivate(), 300);
        expect(tenantAdmin, HttpMethod.GET, "/admin/tenants/" + tenantA, null, 200);
        expect(tenantAdmin, HttpMethod.GET, "/admin/tenants/" + tenantB, null, 404);

        java.security.KeyPair stranger = Jwts.SIG.RS256.keyPair().build();
        expect(
                idpToken("eve", "platform-admin", null, "symbolon-admin", stranger.getPrivate(), 300),
                HttpMethod.GET,
                "/admin/whoami",
                null,
                401);
        expect(
                idpToken("eve", "platform-admin", null, "another-api", IDP_KEY.getPrivate(), 300),
                HttpMethod.GET,
                "/admin/whoami",
                null,
                401);
        expect(
                idpToken("eve", "platform-admin", null, "symbolon-admin", IDP_KEY.getPrivate(), -60),
                HttpMethod.GET,
                "/admin/whoami",
                null,
                401);
        expect(
                idpToken("eve", "tenant-admin", null, "symbolon-admin", IDP_KEY.getPrivate(), 300),
                HttpMethod.GET,
                "/admin/whoami",
                null,
                401);
        String hmac = Jwts.builder()
                .header()
                .keyId("idp-1")
                .and()
                .issuer("https://idp.example")
                .audience()
                .add("symbolon-admin")
                .and()
                .subject("eve")
                .claim("symbolon_role", "platform-admin")
                .expiration(java.util.Date.from(java.time.Instant.now().plusSeconds(300)))
                .signWith(io.jsonwebtoken.security.Keys.hmacShaKeyFor(new byte[32]), Jwts.SIG.HS256)
                .compact();
        expect(hmac, HttpMethod.GET, "/admin/whoami", null, 401);
    }

    private static String idpToken(
            String subject,
            String role,
            String tenant,
            String audience,
            java.security.PrivateKey key,
            int expiresInSeconds) {
        io.jsonwebtoken.JwtBuilder builder = Jwts.builder()
                .header()
                .keyId("idp-1")
                .and()
                .issuer("https://idp.example")
                .audience()
                .add(audience)
                .and()
                .subject(subject)
                .claim("symbolon_role", role)
                .expiration(java.util.Date.from(java.time.Instant.now().plusSeconds(expiresInSeconds)));
        if (tenant != null) {
            builder.claim("symbolon_tenant", tenant);
        }
        return builder.signWith(key, Jwts.SIG.RS256).compact();
    }

    private void revokeAdminKey(JsonNode issued) {
        expect(
                BOOTSTRAP,
                HttpMethod.DELETE,
                "/admin/admin-keys/" + issued.path("adminKey").path("keyId").asString(),
                null,
                200);
    }
}
