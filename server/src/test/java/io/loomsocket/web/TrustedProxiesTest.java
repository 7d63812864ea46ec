package io.loomsocket.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.engine.HttpHeaders;
import org.junit.jupiter.api.Test;

/** http.trusted_proxies: which peers are believed, and how their headers name the client (RFC 7239, X-Forwarded-*). */
class TrustedProxiesTest {
    private static final TrustedProxies PROXIES = TrustedProxies.parse("10.0.0.0/8, 192.0.2.1, 2001:db8::/32, ::1");

    /** As the request does: the direct host is the request's Host field. */
    private static TrustedProxies.View resolve(TrustedProxies proxies, String peer, boolean secure, HttpHeaders headers) {
        return proxies.resolve(peer, secure, headers.get("Host"), headers);
    }

    private static HttpHeaders headers(String... nameValue) {
        HttpHeaders h = new HttpHeaders();
        h.add("Host", "app.example");
        for (int i = 0; i < nameValue.length; i += 2) h.add(nameValue[i], nameValue[i + 1]);
        return h;
    }

    @Test
    void addressesAndNetworksOfBothFamilies() {
        assertThat(PROXIES.trusts("10.255.1.1")).isTrue();
        assertThat(PROXIES.trusts("11.0.0.1")).isFalse();
        assertThat(PROXIES.trusts("192.0.2.1")).isTrue();
        assertThat(PROXIES.trusts("192.0.2.2")).isFalse();
        assertThat(PROXIES.trusts("2001:db8:1::5")).isTrue();
        assertThat(PROXIES.trusts("2001:db9::1")).isFalse();
        assertThat(PROXIES.trusts("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(PROXIES.trusts("unknown")).isFalse();
        assertThat(TrustedProxies.parse("172.16.0.0/12").trusts("172.31.255.255")).isTrue();
        assertThat(TrustedProxies.parse("172.16.0.0/12").trusts("172.32.0.0")).isFalse();
        assertThat(TrustedProxies.parse("0.0.0.0/0").trusts("203.0.113.9")).isTrue();
        assertThat(TrustedProxies.parse("").trusts("127.0.0.1")).isFalse();
    }

    @Test
    void anythingButAnIpOrNetworkIsASettingsError() {
        for (String bad : new String[] {"localhost", "10.0.0.0/33", "10.0.0/8", "fd00::/129", "1.2.3.4/x", "256.1.1.1", "example.com/8"}) {
            assertThatThrownBy(() -> TrustedProxies.parse(bad)).as(bad).isInstanceOf(SettingsException.class)
                    .hasMessageContaining("http.trusted_proxies");
        }
    }

    @Test
    void fromAnUntrustedPeerTheHeadersAreIgnored() {
        var v = resolve(PROXIES, "203.0.113.5", false, headers("X-Forwarded-For", "198.51.100.1", "X-Forwarded-Proto", "https",
                "X-Forwarded-Host", "evil.example", "Forwarded", "for=198.51.100.2;proto=https;host=evil.example"));
        assertThat(v).isEqualTo(new TrustedProxies.View("203.0.113.5", false, "app.example"));
    }

    @Test
    void theRightMostUntrustedAddressIsTheClient() {
        // the client wrote "6.6.6.6" itself; 198.51.100.7 connected to our first proxy 10.1.1.1, which connected to 10.2.2.2
        var v = resolve(PROXIES, "10.2.2.2", false, headers("X-Forwarded-For", "6.6.6.6, 198.51.100.7", "X-Forwarded-For", "10.1.1.1",
                "X-Forwarded-Proto", "http, https", "X-Forwarded-Host", "app.example:8443"));
        assertThat(v).isEqualTo(new TrustedProxies.View("198.51.100.7", true, "app.example:8443"));
        assertThat(resolve(PROXIES, "10.2.2.2", false, headers("X-Forwarded-For", "10.3.3.3, 10.1.1.1")).clientAddress())
                .as("all trusted: the left-most").isEqualTo("10.3.3.3");
        assertThat(resolve(PROXIES, "10.2.2.2", true, headers()).clientAddress()).as("no header: the peer").isEqualTo("10.2.2.2");
        assertThat(resolve(PROXIES, "10.2.2.2", true, headers()).secure()).isTrue();
        assertThat(resolve(PROXIES, "10.2.2.2", false, headers("X-Forwarded-For", "198.51.100.7:4711")).clientAddress()).isEqualTo("198.51.100.7");
    }

    @Test
    void forwardedElementsGiveTheClientWithItsOwnProtoAndHost() {
        var v = resolve(PROXIES, "::1", false, headers("Forwarded",
                "for=6.6.6.6;proto=http, for=\"[2001:db9::17]:4711\";proto=https;host=\"app.example:443\"",
                "Forwarded", "for=10.1.1.1;proto=http;host=inner;by=10.2.2.2"));
        assertThat(v).isEqualTo(new TrustedProxies.View("2001:db9:0:0:0:0:0:17", true, "app.example:443"));
        assertThat(resolve(PROXIES, "::1", false, headers("Forwarded", "for=unknown;proto=https", "X-Forwarded-For", "198.51.100.9")))
                .as("Forwarded wins over X-Forwarded-For; unknown is a client that is never trusted")
                .isEqualTo(new TrustedProxies.View("unknown", true, "app.example"));
        assertThat(resolve(PROXIES, "::1", false, headers("Forwarded", "for=_hidden, for=10.1.1.1")).clientAddress()).isEqualTo("_hidden");
        assertThat(resolve(PROXIES, "::1", false, headers("Forwarded", "proto=https")).clientAddress()).isEqualTo("::1");
    }
}
