package dev.symbolon.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

    @Test
    void ipv4_networks_contain_exactly_their_addresses() throws Exception {
        Cidr net = Cidr.parse("203.0.113.0/24");

        assertThat(net.contains(InetAddress.getByName("203.0.113.0"))).isTrue();
        assertThat(net.contains(InetAddress.getByName("203.0.113.255"))).isTrue();
        assertThat(net.contains(InetAddress.getByName("203.0.114.1"))).isFalse();
        assertThat(net.contains(InetAddress.getByName("2001:db8::1"))).isFalse();
    }

    @Test
    void ipv6_networks_and_single_addresses() throws Exception {
        assertThat(Cidr.parse("2001:db8::/32").contains(InetAddress.getByName("2001:db8:ffff::1")))
                .isTrue();
        assertThat(Cidr.parse("2001:db8::/32").contains(InetAddress.getByName("2001:db9::1")))
                .isFalse();
        assertThat(Cidr.parse("198.51.100.7").contains(InetAddress.getByName("198.51.100.7")))
                .isTrue();
        assertThat(Cidr.parse("198.51.100.7").contains(InetAddress.getByName("198.51.100.8")))
                .isFalse();
        assertThat(Cidr.parse("::/0").contains(InetAddress.getByName("::1"))).isTrue();
        assertThat(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByName("8.8.8.8")))
                .isTrue();
    }

    @Test
    void an_ipv4_mapped_ipv6_address_matches_ipv4_networks() throws Exception {
        InetAddress mapped = InetAddress.getByAddress(
                new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 1, 2, 3});

        assertThat(Cidr.parse("10.0.0.0/8").contains(mapped)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "10.0.0.1/8",
                "300.1.1.1/32",
                "10.0.0.0/33",
                "2001:db8::/129",
                "example.com/24",
                "localhost",
                "10.0.0.0/x",
                "010.0.0.0/8",
                ""
            })
    void anything_but_a_canonical_literal_cidr_is_refused(String text) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void host_bits_are_refused_with_the_network_meant() {
        assertThatThrownBy(() -> Cidr.parse("10.1.2.3/8")).hasMessageContaining("did you mean 10.0.0.0/8");
    }

    @Test
    void canonical_text_round_trips() {
        assertThat(Cidr.parse("203.0.113.0/24")).hasToString("203.0.113.0/24");
        assertThat(Cidr.parse(Cidr.parse("2001:DB8::/32").toString())).isEqualTo(Cidr.parse("2001:db8::/32"));
    }
}
