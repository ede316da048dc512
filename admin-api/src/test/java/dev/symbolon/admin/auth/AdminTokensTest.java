package dev.symbolon.admin.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.symbolon.admin.AdminProperties;
import dev.symbolon.contracts.Secret;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import org.junit.jupiter.api.Test;

class AdminTokensTest {

    static final String KEY = AdminTokens.newSigningKey();
    static final AdminPrincipal TENANT_ADMIN = new AdminPrincipal("adk_1", Role.TENANT_ADMIN, "t_1");

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    final AdminTokens tokens = new AdminTokens(config(KEY, "symbolon-admin", "symbolon-admin-api"), clock);

    @Test
    void an_issued_token_verifies_to_the_same_principal() {
        String token = tokens.issue(TENANT_ADMIN).token();

        assertThat(tokens.verify(token)).contains(TENANT_ADMIN);
    }

    @Test
    void a_token_expires_after_its_lifetime() {
        String token = tokens.issue(TENANT_ADMIN).token();

        clock.now = clock.now.plus(Duration.ofMinutes(16));

        assertThat(tokens.verify(token)).isEmpty();
    }

    @Test
    void a_token_from_another_key_issuer_or_audience_is_refused() {
        String otherKey = new AdminTokens(
                        config(AdminTokens.newSigningKey(), "symbolon-admin", "symbolon-admin-api"), clock)
                .issue(TENANT_ADMIN)
                .token();
        String otherIssuer = new AdminTokens(config(KEY, "someone-else", "symbolon-admin-api"), clock)
                .issue(TENANT_ADMIN)
                .token();
        String otherAudience = new AdminTokens(config(KEY, "symbolon-admin", "another-api"), clock)
                .issue(TENANT_ADMIN)
                .token();

        assertThat(tokens.verify(otherKey)).isEmpty();
        assertThat(tokens.verify(otherIssuer)).isEmpty();
        assertThat(tokens.verify(otherAudience)).isEmpty();
    }

    @Test
    void an_edited_payload_fails_the_signature() {
        String[] parts = tokens.issue(TENANT_ADMIN).token().split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("tenant-admin", "platform-admin");
        String forged = parts[0] + "." + base64(payload) + "." + parts[2];

        assertThat(tokens.verify(forged)).isEmpty();
    }

    @Test
    void unsigned_and_hmac_signed_tokens_are_refused() {
        String claims = "{\"iss\":\"symbolon-admin\",\"aud\":\"symbolon-admin-api\",\"sub\":\"x\","
                + "\"role\":\"platform-admin\",\"exp\":" + (clock.now.getEpochSecond() + 600) + "}";
        String none = base64("{\"alg\":\"none\"}") + "." + base64(claims) + ".";
        String hmac = Jwts.builder()
                .issuer("symbolon-admin")
                .audience()
                .add("symbolon-admin-api")
                .and()
                .subject("x")
                .claim("role", "platform-admin")
                .expiration(Date.from(clock.now.plusSeconds(600)))
                .signWith(Keys.hmacShaKeyFor(new byte[32]), Jwts.SIG.HS256)
                .compact();

        assertThat(tokens.verify(none)).isEmpty();
        assertThat(tokens.verify(hmac)).isEmpty();
        assertThat(tokens.verify("garbage")).isEmpty();
    }

    @Test
    void only_a_private_p256_key_is_accepted_as_signing_key() {
        assertThatThrownBy(() -> new AdminTokens(config("{\"kty\":\"oct\",\"k\":\"AAAA\"}", "i", "a"), clock))
                .isInstanceOf(RuntimeException.class);
    }

    @Test
    void the_jwk_set_holds_the_public_key_only() {
        assertThat(tokens.jwks())
                .contains("\"kty\":\"EC\"")
                .contains("\"crv\":\"P-256\"")
                .doesNotContain("\"d\"");
    }

    private static AdminProperties.Jwt config(String key, String issuer, String audience) {
        return new AdminProperties.Jwt(Secret.of(key), issuer, audience, Duration.ofMinutes(15));
    }

    private static String base64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
