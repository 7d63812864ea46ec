package io.loomsocket.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Django's ALLOWED_HOSTS matching: exact names, ".domain" with its subdomains, "*"; port, case and a final dot ignored. */
class AllowedHostsTest {
    @Test
    void theDefaultIsTheLoopbackNames() {
        AllowedHosts d = AllowedHosts.parse(Settings.defaults().string("allowed_hosts"));
        assertThat(d.loopbackOnly()).isTrue();
        assertThat(d.allows("localhost:8000")).isTrue();
        assertThat(d.allows("127.0.0.1")).isTrue();
        assertThat(d.allows("[::1]:8000")).isTrue();
        assertThat(d.allows("[0:0:0:0:0:0:0:1]")).as("IP-literals compare as written, as Django's do").isFalse();
        assertThat(d.allows("attacker.example")).isFalse();
        assertThat(d.allows(null)).as("HTTP/1.0 without Host").isTrue();
    }

    @Test
    void subdomainsTrailingDotsAndStar() {
        AllowedHosts h = AllowedHosts.parse(" .Example.com ,api.test.");
        assertThat(h.loopbackOnly()).isFalse();
        assertThat(h.allows("example.com")).isTrue();
        assertThat(h.allows("a.b.EXAMPLE.com.:443")).isTrue();
        assertThat(h.allows("api.test")).isTrue();
        assertThat(h.allows("api.test.")).isTrue();
        assertThat(h.allows("notexample.com")).isFalse();
        assertThat(h.allows("example.com.evil")).isFalse();
        assertThat(h.allows("x.api.test")).isFalse();
        assertThat(AllowedHosts.parse("*").allows("anything:1")).isTrue();
        assertThat(AllowedHosts.parse("*").loopbackOnly()).isFalse();
        assertThat(AllowedHosts.parse("").allows("localhost")).as("an empty list serves no named host").isFalse();
    }
}
