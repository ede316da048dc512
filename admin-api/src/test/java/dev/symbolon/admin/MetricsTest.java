package dev.symbolon.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.symbolon.support.testing.RawHttp;
import dev.symbolon.support.testing.Scrape;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;

/** admin-api's {@code /actuator/prometheus} and readiness after real changes. */
class MetricsTest extends AdminApiContextTest {

    @Test
    void the_outbox_says_what_it_published_and_what_waits_and_http_requests_are_timed_by_route() {
        Scrape before = scrape();
        System.out.println("OUTBOXMETERS "
                + before.samples().stream()
                        .map(Scrape.Sample::name)
                        .filter(n -> n.contains("outbox"))
                        .toList());

        expect(BOOTSTRAP, HttpMethod.POST, "/admin/tenants", tenant("Metered Inc"), 201);

        // the tenant's snapshot goes out through the outbox
        await().atMost(Duration.ofSeconds(10))
                .until(() -> scrape().since(before, "symbolon_outbox_published_total", "table", "outbox") >= 1);
        await().atMost(Duration.ofSeconds(15))
                .until(() -> scrape().value("symbolon_outbox_backlog_messages", "table", "outbox") == 0);
        Scrape after = scrape();
        assertThat(after.since(
                        before,
                        "http_server_requests_seconds_count",
                        "uri",
                        "/admin/tenants",
                        "method",
                        "POST",
                        "status",
                        "201"))
                .isEqualTo(1);
        assertThat(after.text()).doesNotContain(BOOTSTRAP).doesNotContain("Metered Inc");
        RawHttp.Response ready = RawHttp.get(port, "/actuator/health/readiness");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.body()).contains("\"db\":{\"status\":\"UP\"}").doesNotContain("details");
    }

    private Scrape scrape() {
        return Scrape.of(port, SCRAPE_TOKEN);
    }
}
