package io.loomsocket.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one header type: RFC 9110 §5 field semantics, and no header injection through it. */
class HttpHeadersTest {

    @Test
    void rfc9110_5_3_repeatedFieldsKeptApartInOrder() {
        HttpHeaders h = new HttpHeaders().add("Cookie", "a=1").add("Host", "x").add("cookie", "b=2");
        assertThat(h.getAll("COOKIE")).containsExactly("a=1", "b=2");
        assertThat(h.count("cookie")).isEqualTo(2);
        assertThat(h.get("cookie")).isEqualTo("a=1");
        assertThat(h.size()).isEqualTo(3);
        assertThat(h.names()).containsExactly("Cookie", "Host");
        List<String> seen = new ArrayList<>();
        h.forEach((n, v) -> seen.add(n + "=" + v));
        assertThat(seen).containsExactly("Cookie=a=1", "Host=x", "cookie=b=2");
        assertThat(h.remove("COOKIE")).isTrue();
        assertThat(h.remove("cookie")).isFalse();
        assertThat(h.names()).containsExactly("Host");
        assertThat(h.set("host", "y").getAll("Host")).containsExactly("y");
    }

    @Test
    void rfc9110_5_5_noHeaderInjection() {
        for (String value : new String[] {"a\r\nX-Injected: 1", "a\nb", "a\rb", "a\u0000b"}) {
            assertThatThrownBy(() -> new HttpHeaders().add("X", value)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new HttpHeaders().set("X", value)).isInstanceOf(IllegalArgumentException.class);
        }
        for (String name : new String[] {"", "X Y", "X:", "X\r\nY", "caf\u00e9"}) {
            assertThatThrownBy(() -> new HttpHeaders().add(name, "v")).as(name).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> HttpHeaders.of("Host", "a", "X", "b\r\n")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rfc9110_5_6_1_listElementsTrimOnlySpAndHtab() {
        HttpHeaders h = new HttpHeaders().add("Connection", " keep-alive ,\t,Upgrade\t").add("connection", "close");
        assertThat(h.tokens("connection")).containsExactly("keep-alive", "Upgrade", "close");
        assertThat(h.containsToken("Connection", "upgrade")).isTrue();
        assertThat(h.containsToken("Connection", "upgrad")).isFalse();
        assertThat(h.containsToken("Upgrade", "websocket")).isFalse();
        // VT is not whitespace (RFC 9110 §5.6.3): the element stays "\u000bUpgrade", which is not "Upgrade"
        HttpHeaders vt = new HttpHeaders().add("Connection", "\u000bUpgrade");
        assertThat(vt.tokens("Connection")).containsExactly("\u000bUpgrade");
        assertThat(vt.containsToken("Connection", "Upgrade")).isFalse();
    }

    @Test
    void copyIsIndependent() {
        HttpHeaders a = HttpHeaders.of("A", "1", "B", "2");
        HttpHeaders b = new HttpHeaders(a).add("C", "3");
        a.remove("A");
        assertThat(b.toMap()).containsOnlyKeys("A", "B", "C");
        assertThat(a.toString()).isEqualTo("B: 2\r\n");
    }
}
