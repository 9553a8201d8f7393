package dev.prefixrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code router.proxy.trusted-proxies}: IPv4 and IPv6 blocks, parsed from literals and checked at start-up. */
class TrustedProxiesTest {

    private final TrustedProxies proxies = TrustedProxies.parse(
            List.of("10.0.0.0/8", "192.168.1.77", "172.16.0.0/12", "fd00::/8", "2001:db8:1::/48", "0.0.0.0/0 "));

    @ParameterizedTest
    @CsvSource({"10.255.1.2, true", "11.0.0.1, true", "192.168.1.77, true", "172.31.255.255, true",
            "fd12:3456::1, true", "fe80::1, false", "2001:db8:1:ffff::1, true", "2001:db8:2::1, false"})
    void addressesInABlockAreTrusted(String address, boolean trusted) throws Exception {
        assertThat(proxies.contains(InetAddress.getByName(address))).isEqualTo(trusted);
    }

    @Test
    void blocksCoverExactlyTheirPrefix() throws Exception {
        TrustedProxies narrow = TrustedProxies.parse(List.of("10.1.2.0/23", "::1"));
        assertThat(narrow.contains(InetAddress.getByName("10.1.3.255"))).isTrue();
        assertThat(narrow.contains(InetAddress.getByName("10.1.4.0"))).isFalse();
        assertThat(narrow.contains(InetAddress.getByName("10.1.1.255"))).isFalse();
        assertThat(narrow.contains(InetAddress.getByName("::1"))).isTrue();
        assertThat(narrow.contains(InetAddress.getByName("::2"))).isFalse();
        assertThat(narrow.contains(InetAddress.getByName("127.0.0.1"))).isFalse();
    }

    @Test
    void noneConfiguredTrustsNobody() throws Exception {
        assertThat(TrustedProxies.parse(List.of()).contains(InetAddress.getByName("127.0.0.1"))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"proxy.example.com", "10.0.0.0/33", "256.1.1.1", "10.0.0", "fd00::/129", "10.0.0.0/",
            "10.0.0.0/-1", ""})
    void entriesThatAreNotAddressesOrBlocksNameTheProperty(String entry) {
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/8", entry)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("router.proxy.trusted-proxies[1] must be an IPv4 or IPv6 address or CIDR");
    }
}
