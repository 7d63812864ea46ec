package io.loomsocket.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OriginPolicyTest {
    @Test
    void sameHostOnlyByDefault() {
        OriginPolicy p = OriginPolicy.parse("");
        assertThat(p.allows(null, "127.0.0.1:8000")).as("no Origin: not a browser").isTrue();
        assertThat(p.allows("http://127.0.0.1:8000", "127.0.0.1:8000")).isTrue();
        assertThat(p.allows("http://LOCALHOST:8000", "localhost:8000")).isTrue();
        assertThat(p.allows("https://example.com", "example.com")).isTrue();
        assertThat(p.allows("https://example.com", "example.com:443")).isTrue();
        assertThat(p.allows("http://127.0.0.1:8001", "127.0.0.1:8000")).as("other port").isFalse();
        assertThat(p.allows("https://evil.test", "127.0.0.1:8000")).isFalse();
        assertThat(p.allows("null", "127.0.0.1:8000")).isFalse();
        assertThat(p.allows("garbage", "127.0.0.1:8000")).isFalse();
        assertThat(p.allows("http://127.0.0.1:8000", null)).isFalse();
    }

    @Test
    void listedOriginsPatternsAndStar() {
        OriginPolicy p = OriginPolicy.parse("https://app.example.org, https://*.example.com, http://localhost:3000");
        assertThat(p.allows("https://app.example.org", "api.internal")).isTrue();
        assertThat(p.allows("http://app.example.org", "api.internal")).as("scheme matters").isFalse();
        assertThat(p.allows("https://a.b.example.com", "api.internal")).isTrue();
        assertThat(p.allows("https://example.com", "api.internal")).as("wildcard needs a label").isFalse();
        assertThat(p.allows("https://evilexample.com", "api.internal")).isFalse();
        assertThat(p.allows("http://localhost:3000", "api.internal")).isTrue();
        assertThat(p.allows("http://localhost:3001", "api.internal")).isFalse();
        assertThat(OriginPolicy.parse("*").allows("https://anything.test", "x")).isTrue();
    }

    @Test
    void malformedEntryIsAStartUpError() {
        assertThatThrownBy(() -> Settings.builder().environment(Map.of("WEBSOCKET_ALLOWED_ORIGINS", "example.com")).build())
                .isInstanceOf(SettingsException.class).hasMessageContaining("websocket.allowed_origins");
    }
}
