package io.loomsocket.web.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The session object, its size limit and the signed-cookie store's round trip; the redirect rule of login forms. */
class SessionTest {

    @Test
    void aSessionRefusesToGrowPastItsLimitAndKeepsItsValues() {
        Session s = new Session(null, null);
        s.put("a", "x".repeat(Session.MAX_BYTES - 10));
        assertThatThrownBy(() -> s.put("b", "y".repeat(20))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MAX_BYTES");
        assertThatThrownBy(() -> s.put("a", "z".repeat(Session.MAX_BYTES))).isInstanceOf(IllegalArgumentException.class);
        assertThat(s.keys()).containsExactly("a");
        assertThat(s.get("a").orElseThrow()).startsWith("xxx");
    }

    @Test
    void theFullestSessionFitsInABrowsersCookie() {
        Session s = new Session(null, null);
        s.put(Auth.SESSION_USER_KEY, "u".repeat(32));
        s.put("v", "\u00e9".repeat((Session.MAX_BYTES - 80) / 6)); // percent-encoded: 6 bytes per character
        String token = new SignedCookieSessionStore().save(s.toData(), Duration.ofDays(14));
        String cookie = SessionMiddleware.COOKIE_NAME + "=" + new Signer("k".repeat(40), SessionMiddleware.SALT)
                .signTimestamped(token, java.time.Instant.now());
        assertThat(cookie.length()).isLessThan(4096); // RFC 6265 §6.1
        SessionData back = new SignedCookieSessionStore().load(token).orElseThrow();
        assertThat(back.values()).isEqualTo(Map.of(Auth.SESSION_USER_KEY, "u".repeat(32), "v", s.get("v").orElseThrow()));
    }

    @Test
    void onlyPathsOnThisSiteAreRedirectTargets() {
        for (String ok : new String[] {"/", "/index/", "/a/b?x=1&y=%2F#frag"}) assertThat(Auth.safeRedirect(ok, "F")).isEqualTo(ok);
        for (String bad : new String[] {"", "//evil.example", "/\\evil.example", "\\\\evil.example", "https://evil.example/",
                "javascript:alert(1)", "/\t/evil.example", "/\n/evil.example", "/caf\u00e9", "evil.example", "/a\\b"}) {
            assertThat(Auth.safeRedirect(bad, "F")).as("next=%s", bad).isEqualTo("F");
        }
        assertThat(Auth.safeRedirect(null, "F")).isEqualTo("F");
    }
}
