package dev.symbolon.edge.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.symbolon.contracts.Secret;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

class ProviderClientHeadersTest {

    @Test
    void hop_by_hop_headers_and_those_named_in_connection_do_not_go_upstream() {
        HttpHeaders client = new HttpHeaders();
        client.add("Connection", "keep-alive, X-Hop-Secret");
        client.add("X-Hop-Secret", "only-for-the-next-hop");
        client.add("Keep-Alive", "timeout=5");
        client.add("TE", "trailers");
        client.add("Trailer", "x-checksum");
        client.add("Upgrade", "h2c");
        client.add("Proxy-Authorization", "Basic c2VjcmV0");
        client.add("Proxy-Connection", "keep-alive");
        client.add("Transfer-Encoding", "chunked");
        client.add("Cookie", "session=abc");
        client.add("Authorization", "Bearer sym_live_client");
        client.add("OpenAI-Organization", "org-1");
        client.add("Content-Type", "application/json");

        HttpHeaders upstream = new HttpHeaders();
        ProviderClient.copyRequestHeaders(Dialect.OPENAI, true, client, upstream);
        Dialect.OPENAI.injectKey(Secret.of("sk-real"), upstream);

        assertThat(upstream.headerNames())
                .containsExactlyInAnyOrder("OpenAI-Organization", "Content-Type", "Authorization");
        assertThat(upstream.getFirst("Authorization")).isEqualTo("Bearer sk-real");
    }

    @Test
    void hop_by_hop_response_headers_and_cookies_stay_at_the_edge_useful_ones_pass() {
        HttpHeaders provider = new HttpHeaders();
        provider.add("Connection", "close, X-Upstream-Hop");
        provider.add("X-Upstream-Hop", "x");
        provider.add("Keep-Alive", "timeout=5");
        provider.add("Proxy-Authenticate", "Basic");
        provider.add("Transfer-Encoding", "chunked");
        provider.add("Set-Cookie", "__cf_bm=abc");
        provider.add("x-request-id", "req_upstream_1");
        provider.add("x-ratelimit-remaining-tokens", "999");
        provider.add("retry-after", "3");
        provider.add("Content-Type", "audio/mpeg");
        provider.add("Content-Length", "1234");

        HttpHeaders client = new HttpHeaders();
        ProviderClient.copyResponseHeaders(provider, client, KeyScrubber.NONE);

        assertThat(client.headerNames())
                .containsExactlyInAnyOrder(
                        "x-upstream-request-id",
                        "x-ratelimit-remaining-tokens",
                        "retry-after",
                        "Content-Type",
                        "Content-Length");
        assertThat(client.getFirst("x-upstream-request-id")).isEqualTo("req_upstream_1");
    }
}
