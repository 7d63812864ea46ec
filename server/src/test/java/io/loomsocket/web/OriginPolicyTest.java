package io.loomsocket.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OriginPolicyTest {
    @Test
    void sameHostOnlyByDefault() {
        OriginPolicy p = OriginPolicy.parse("");
        assertThat(p.allows(null, "127.0.0.1:8000", false)).as("no Origin: not a browser").isTrue();
        assertThat(p.allows("http://127.0.0.1:8000", "127.0.0.1:8000", false)).isTrue();
        assertThat(p.allows("http://LOCALHOST:8000", "localhost:8000", false)).isTrue();
        assertThat(p.allows("https://example.com", "example.com", true)).isTrue();
        assertThat(p.allows("https://example.com", "example.com:443", true)).isTrue();
        assertThat(p.allows("http://127.0.0.1:8001", "127.0.0.1:8000", false)).as("other port").isFalse();
        assertThat(p.allows("https://evil.test", "127.0.0.1:8000", false)).isFalse();
        assertThat(p.allows("null", "127.0.0.1:8000", false)).isFalse();
        assertThat(p.allows("file://", "127.0.0.1:8000", false)).as("a file: page").isFalse();
        assertThat(p.allows("file:///home/u/page.html", "127.0.0.1:8000", false)).isFalse();
        assertThat(p.allows("garbage", "127.0.0.1:8000", false)).isFalse();
        assertThat(p.allows("http://127.0.0.1:8000", null, false)).isFalse();
    }

    /** Same origin is scheme, host and port (RFC 6454 §5): an https page is not the origin of a plain-HTTP server, nor the reverse. */
    @Test
    void sameOriginComparesTheScheme() {
        OriginPolicy p = OriginPolicy.parse("");
        assertThat(p.allows("https://127.0.0.1:8000", "127.0.0.1:8000", false)).as("https Origin on plain HTTP").isFalse();
        assertThat(p.allows("wss://127.0.0.1:8000", "127.0.0.1:8000", false)).as("wss Origin on plain HTTP").isFalse();
        assertThat(p.allows("http://127.0.0.1:8443", "127.0.0.1:8443", true)).as("http Origin over TLS").isFalse();
        assertThat(p.allows("ws://127.0.0.1:8443", "127.0.0.1:8443", true)).as("ws Origin over TLS").isFalse();
        assertThat(p.allows("https://127.0.0.1:8443", "127.0.0.1:8443", true)).isTrue();
        assertThat(p.allows("ws://127.0.0.1:8000", "127.0.0.1:8000", false)).isTrue();
        // the parsed path (a default port or an IPv6 host defeats the shortcut) agrees
        assertThat(p.allows("https://[::1]:8000", "[::1]:8000", false)).isFalse();
        assertThat(p.allows("http://[::1]:8000", "[::1]:8000", false)).isTrue();
        assertThat(p.allows("https://example.com:443", "example.com", false)).isFalse();
        assertThat(p.allows("http://example.com", "example.com", true)).isFalse();
    }

    @Test
    void listedOriginsPatternsAndStar() {
        OriginPolicy p = OriginPolicy.parse("https://app.example.org, https://*.example.com, http://localhost:3000");
        assertThat(p.allows("https://app.example.org", "api.internal", false)).isTrue();
        assertThat(p.allows("http://app.example.org", "api.internal", false)).as("scheme matters").isFalse();
        assertThat(p.allows("https://a.b.example.com", "api.internal", false)).isTrue();
        assertThat(p.allows("https://example.com", "api.internal", false)).as("wildcard needs a label").isFalse();
        assertThat(p.allows("https://evilexample.com", "api.internal", false)).isFalse();
        assertThat(p.allows("http://localhost:3000", "api.internal", true)).isTrue();
        assertThat(p.allows("http://localhost:3001", "api.internal", false)).isFalse();
        assertThat(OriginPolicy.parse("*").allows("https://anything.test", "x", false)).isTrue();
    }

    @Test
    void malformedEntryIsAStartUpError() {
        assertThatThrownBy(() -> Settings.builder().environment(Map.of("WEBSOCKET_ALLOWED_ORIGINS", "example.com")).build())
                .isInstanceOf(SettingsException.class).hasMessageContaining("websocket.allowed_origins");
    }

    /** The unparsed same-origin shortcut never allows what parsing both headers would refuse. */
    @Test
    void theSameOriginShortcutAgreesWithParsing() {
        String[] schemes = {"http", "HTTPS", "ws", "wss", "ftp", "httpx", ""};
        String[] hosts = {"127.0.0.1:8000", "LocalHost:80", "example.com", "a-b.example:65535", "x:65536", "x:", ":80",
                "user@example.com", "example.com/path", "[::1]:8000", "example.com:8o", "", "a b", "example.com:123456"};
        int shortcuts = 0;
        for (String scheme : schemes) {
            for (String host : hosts) {
                String origin = scheme + "://" + host;
                for (boolean secure : new boolean[] {false, true}) {
                    if (!OriginPolicy.isHostItself(origin, host, secure)) continue;
                    shortcuts++;
                    OriginPolicy.Origin parsed = OriginPolicy.Origin.parse(origin);
                    assertThat(parsed).as(origin).isNotNull();
                    assertThat(parsed.isSecure()).as(origin + " over TLS: " + secure).isEqualTo(secure);
                    assertThat(parsed.sameHostAs(host)).as(origin + " vs Host " + host).isTrue();
                }
            }
        }
        assertThat(shortcuts).as("http, HTTPS, ws, wss with the four plain hosts").isEqualTo(16);
        assertThat(OriginPolicy.isHostItself("http://127.0.0.1:8000", "127.0.0.1:8001", false)).isFalse();
        assertThat(OriginPolicy.isHostItself("http://127.0.0.1:8000/", "127.0.0.1:8000", false)).isFalse();
    }
}
