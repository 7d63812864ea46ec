package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Host field syntax, RFC 9110 §7.2 with RFC 3986 §3.2.2's host. */
class AuthorityTest {
    @Test
    void hostAndPort() {
        assertThat(Authority.parse("Example.COM:8080")).contains(new Authority("Example.COM", 8080));
        assertThat(Authority.parse("127.0.0.1")).contains(new Authority("127.0.0.1", -1));
        assertThat(Authority.parse("[::1]:443")).contains(new Authority("[::1]", 443));
        assertThat(Authority.parse("[::ffff:10.0.0.1]")).contains(new Authority("[::ffff:10.0.0.1]", -1));
        assertThat(Authority.parse("[v7.a:b]")).isPresent();
        assertThat(Authority.parse("sub-delims!$&'()*+;=.example")).isPresent();
        assertThat(Authority.parse("pct%2Dencoded")).isPresent();
        assertThat(Authority.parse("h:0")).contains(new Authority("h", 0));
        assertThat(Authority.parse("h:65535")).isPresent();
    }

    @Test
    void refusesWhatIsNotUriHostAndPort() {
        for (String bad : new String[] {"", " ", "a b/c@d", "user@h", "h/", "h?", "h#", "h:", "h:65536", "h:123456", "h:-1", ":80", "h:8 ",
                "[::1", "[::1]x", "[::1]:", "[]", "[1:2:3]", "[1::2::3]", "[12345::]", "[:1::]", "[1:2:3:4:5:6:7:8:9]", "[::1.2.3]",
                "[::256.1.1.1]", "[v.x]", "[vz.x]", "[v1.]", "h%2", "h%zz", "h\u00e9", "h\u000b", "h\t", "a,b"}) {
            assertThat(Authority.parse(bad)).as("'%s'", bad).isEmpty();
        }
        for (String good : new String[] {"[::]", "[::1]", "[1::]", "[1:2:3:4:5:6:7:8]", "[1:2:3:4:5:6::8]", "[fe80::1:2]",
                "[1:2:3:4:5:6:1.2.3.4]"}) {
            assertThat(Authority.parse(good)).as(good).isPresent();
        }
    }
}
