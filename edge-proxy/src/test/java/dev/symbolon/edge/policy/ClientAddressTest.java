package dev.symbolon.edge.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

    final ClientAddress viaProxies = new ClientAddress(List.of("10.0.0.0/8"));

    @Test
    void without_trusted_proxies_the_socket_peer_is_the_client_whatever_the_header_says() throws Exception {
        ClientAddress direct = new ClientAddress(List.of());

        assertThat(direct.resolve(ip("198.51.100.7"), "203.0.113.1")).isEqualTo(ip("198.51.100.7"));
    }

    @Test
    void behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() throws Exception {
        assertThat(viaProxies.resolve(ip("10.0.0.2"), "203.0.113.9, 198.51.100.7, 10.0.0.5"))
                .as("the forged left-most entry is never used")
                .isEqualTo(ip("198.51.100.7"));
    }

    @Test
    void an_untrusted_peer_is_the_client_even_with_a_header() throws Exception {
        assertThat(viaProxies.resolve(ip("198.51.100.7"), "10.0.0.1")).isEqualTo(ip("198.51.100.7"));
    }

    @Test
    void a_garbled_or_host_name_hop_stops_the_walk() throws Exception {
        assertThat(viaProxies.resolve(ip("10.0.0.2"), "evil.example")).isEqualTo(ip("10.0.0.2"));
        assertThat(viaProxies.resolve(ip("10.0.0.2"), "198.51.100.7, not-an-ip"))
                .isEqualTo(ip("10.0.0.2"));
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }
}
