package dev.symbolon.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TargetGuardTest {

    private final TargetGuard production = new TargetGuard(false, true);

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://127.0.0.1/hook",
                "https://127.1.2.3/hook",
                "https://localhost/hook",
                "https://0.0.0.0/hook",
                "https://[::]/hook",
                "https://[::1]/hook",
                "https://[::ffff:127.0.0.1]/hook",
                "https://[::ffff:7f00:1]/hook",
                "https://[::ffff:10.0.0.1]/hook",
                "https://[::127.0.0.1]/hook",
                "https://[64:ff9b::7f00:1]/hook",
                "https://[64:ff9b::808:808]/hook",
                "https://[2002:7f00:1::]/hook",
                "https://[2002:5db8:d70e::]/hook",
                "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook",
                "https://192.0.2.10/hook",
                "https://203.0.113.9/hook",
                "https://10.1.2.3/hook",
                "https://172.16.0.1/hook",
                "https://172.31.255.255/hook",
                "https://192.168.1.1/hook",
                "https://169.254.169.254/latest/meta-data",
                "https://[fd00:ec2::254]/hook",
                "https://[fe80::1]/hook",
                "https://[fc00::1]/hook",
                "https://100.64.0.1/hook",
                "https://100.127.255.254/hook",
                "https://224.0.0.1/hook",
                "https://[ff02::1]/hook",
                "https://255.255.255.255/hook",
                "https://240.0.0.1/hook",
                "https://2130706433/hook",
                "https://0x7f000001/hook",
                "https://198.18.0.1/hook",
                "https://0177.0.0.1/hook",
                "https://127.1/hook",
                "https://0x7f.0.0.1/hook",
                "https://017700000001/hook",
                "https://key-vault-service:8082/internal/v1/server-keys/openai",
                "https://metadata.google.internal/computeMetadata/v1/",
                "https://metadata/computeMetadata/v1/",
                "https://printer.local/hook",
                "https://api.localhost/hook",
                "https://svc.ns.svc.cluster.local/hook",
            })
    void every_internal_address_form_is_refused(String url) {
        assertThatThrownBy(() -> production.check(URI.create(url))).isInstanceOf(TargetGuard.Refused.class);
    }

    @Test
    void names_are_refused_by_shape_before_anything_is_resolved() {
        java.util.List<String> resolved = new java.util.ArrayList<>();
        TargetGuard recording = new TargetGuard(false, true, host -> {
            resolved.add(host);
            return new InetAddress[] {InetAddress.getByName("93.184.215.14")};
        });
        for (String url : java.util.List.of(
                "https://metadata.google.internal/", "https://key-vault-service/", "https://0177.0.0.1/")) {
            assertThatThrownBy(() -> recording.check(URI.create(url))).as(url).isInstanceOf(TargetGuard.Refused.class);
        }
        assertThat(resolved).isEmpty();
    }

    @Test
    void local_mode_allows_loopback_by_name_and_address_and_nothing_else_internal() throws Exception {
        TargetGuard local = new TargetGuard(true, false);
        assertThat(local.check(URI.create("http://localhost:8099/hook"))
                        .address()
                        .isLoopbackAddress())
                .isTrue();
        assertThat(local.check(URI.create("http://127.0.0.1:8099/hook")).port()).isEqualTo(8099);
        assertThatThrownBy(() -> local.check(URI.create("http://10.0.0.5/hook")))
                .isInstanceOf(TargetGuard.Refused.class);
        assertThatThrownBy(() -> local.check(URI.create("http://key-vault-service:8082/")))
                .isInstanceOf(TargetGuard.Refused.class);
    }

    @Test
    void a_public_address_passes_and_is_the_address_connected_to() throws Exception {
        TargetGuard.Checked checked = production.check(URI.create("https://93.184.215.14:8443/hooks/symbolon"));

        assertThat(checked.address().getHostAddress()).isEqualTo("93.184.215.14");
        assertThat(checked.port()).isEqualTo(8443);
        assertThat(checked.https()).isTrue();
        assertThat(production
                        .check(URI.create("https://[2606:4700::6810:85e5]/"))
                        .address()
                        .getHostAddress())
                .isEqualTo("2606:4700:0:0:0:0:6810:85e5");
    }

    @Test
    void a_name_with_any_internal_address_is_refused_and_a_public_name_keeps_its_checked_address() throws Exception {
        TargetGuard rebinding = new TargetGuard(false, true, host ->
                new InetAddress[] {InetAddress.getByName("93.184.215.14"), InetAddress.getByName("10.0.0.5")});
        assertThatThrownBy(() -> rebinding.check(URI.create("https://hooks.example.com/x")))
                .isInstanceOf(TargetGuard.Refused.class)
                .hasMessageContaining("private");

        TargetGuard publicOnly =
                new TargetGuard(false, true, host -> new InetAddress[] {InetAddress.getByName("93.184.215.14")});
        TargetGuard.Checked checked = publicOnly.check(URI.create("https://hooks.example.com/x"));
        assertThat(checked.host()).isEqualTo("hooks.example.com");
        assertThat(checked.address().getHostAddress()).isEqualTo("93.184.215.14");
    }

    @Test
    void https_user_info_and_other_schemes_are_enforced_and_loopback_only_by_explicit_permission() throws Exception {
        assertThatThrownBy(() -> production.check(URI.create("http://93.184.215.14/")))
                .hasMessageContaining("https");
        assertThatThrownBy(() -> production.check(URI.create("https://user:pw@93.184.215.14/")))
                .isInstanceOf(TargetGuard.Refused.class);
        assertThatThrownBy(() -> production.check(URI.create("ftp://93.184.215.14/")))
                .isInstanceOf(TargetGuard.Refused.class);

        TargetGuard local = new TargetGuard(true, false);
        assertThat(local.check(URI.create("http://127.0.0.1:8090/hook")).port()).isEqualTo(8090);
        assertThatThrownBy(() -> local.check(URI.create("http://169.254.169.254/")))
                .as("allowing loopback allows nothing else")
                .isInstanceOf(TargetGuard.Refused.class);
        assertThatThrownBy(() -> local.check(URI.create("http://10.0.0.1/"))).isInstanceOf(TargetGuard.Refused.class);
    }
}
