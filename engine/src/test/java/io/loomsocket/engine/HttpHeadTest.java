package io.loomsocket.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The one HTTP/1.1 head codec (RFC 9112 §2-§5) and its strictness (RFC 9112 §11.2). */
class HttpHeadTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static HttpHead.RequestLine requestLine(String line) throws HttpHeadException {
        byte[] bytes = b(line);
        return HttpHead.parseRequestLine(bytes, 0, bytes.length);
    }

    private static HttpHead.StatusLine statusLine(String line) throws HttpHeadException {
        byte[] bytes = b(line);
        return HttpHead.parseStatusLine(bytes, 0, bytes.length);
    }

    private static HttpHeaders field(String line) throws HttpHeadException {
        HttpHeaders h = new HttpHeaders();
        byte[] bytes = b("xx" + line + "yy"); // an offset inside a larger buffer, as the server's
        HttpHead.parseField(bytes, 2, bytes.length - 4, h, 100);
        return h;
    }

    private static int status(ThrowingCall call) {
        try {
            call.run();
        } catch (HttpHeadException e) {
            return e.status();
        }
        throw new AssertionError("accepted");
    }

    private interface ThrowingCall {
        void run() throws HttpHeadException;
    }

    @Test
    void rfc9112_3_requestLine() throws Exception {
        HttpHead.RequestLine l = requestLine("GET /chat?x=1 HTTP/1.1");
        assertThat(l).isEqualTo(new HttpHead.RequestLine("GET", "/chat?x=1", "HTTP/1.1"));
        assertThat(requestLine("PROPFIND * HTTP/1.0").method()).isEqualTo("PROPFIND");
        assertThat(requestLine("GET / HTTP/2.0").version()).isEqualTo("HTTP/2.0"); // syntax only: the server answers 505
        for (String bad : new String[] {"GET  / HTTP/1.1", "GET / HTTP/1.1 ", " GET / HTTP/1.1", "GET /", "GET", "",
                "G(T / HTTP/1.1", "GET\t/ HTTP/1.1", "GET / http/1.1", "GET / HTTP/1.10", "GET /a\u0001b HTTP/1.1",
                "GET /\u00e9 HTTP/1.1", "GET /\u007f HTTP/1.1", "GET / HTTP/1.1 x"}) {
            assertThat(status(() -> requestLine(bad))).as(bad).isEqualTo(400);
        }
    }

    @Test
    void rfc9112_4_statusLine() throws Exception {
        assertThat(statusLine("HTTP/1.1 101 Switching Protocols"))
                .isEqualTo(new HttpHead.StatusLine("HTTP/1.1", 101, "Switching Protocols"));
        assertThat(statusLine("HTTP/1.1 404 ")).isEqualTo(new HttpHead.StatusLine("HTTP/1.1", 404, ""));
        assertThat(statusLine("HTTP/1.0 200")).isEqualTo(new HttpHead.StatusLine("HTTP/1.0", 200, "")); // reason missing: tolerated
        for (String bad : new String[] {"HTTP/2.0 101 x", "HTTP/1.1 1010 x", "HTTP/1.1 10 x", "HTTP/1.1  101 x", "HTTP/1.1 abc x",
                "ICY 200 OK", "HTTP/1.1 101\tx", "HTTP/1.1 101 a\u0000b", ""}) {
            assertThat(status(() -> statusLine(bad))).as(bad).isEqualTo(400);
        }
    }

    @Test
    void rfc9112_5_fieldLines() throws Exception {
        HttpHeaders h = field("Sec-WebSocket-Key: \t abc== \t");
        assertThat(h.get("sec-websocket-key")).isEqualTo("abc==");
        assertThat(field("X-Empty:").get("X-Empty")).isEmpty();
        assertThat(field("X:a:b").get("x")).isEqualTo("a:b");
        assertThat(field("X: caf\u00e9").get("X")).isEqualTo("caf\u00e9"); // obs-text is kept
        assertThat(field("X: a \u0001 b".replace("\u0001", "\t")).get("X")).isEqualTo("a \t b");
    }

    @Test
    void rfc9110_5_6_3_onlySpAndHtabAreWhitespace() {
        // VT, FF and the other controls are neither trimmed nor accepted (String.strip would drop them unseen)
        for (char c : new char[] {0x0b, 0x0c, 0x1c, 0x1f, 0x00, 0x7f, '\r', '\n'}) {
            assertThat(status(() -> field("X: " + c + "a"))).as("%x", (int) c).isEqualTo(400);
            assertThat(status(() -> field("X: a" + c))).as("%x", (int) c).isEqualTo(400);
        }
    }

    @Test
    void rfc9112_5_1_and_5_2_malformedFieldLinesAreRefused() {
        for (String bad : new String[] {" X: folded", "\tX: folded", "X : a", "X\t: a", ": a", "X", "X y: a", "X\u00e9: a", "(X): a"}) {
            assertThat(status(() -> field(bad))).as(bad).isEqualTo(400);
        }
    }

    @Test
    void fieldCountLimitAnswers431() throws Exception {
        HttpHeaders h = new HttpHeaders();
        byte[] line = b("A: b");
        for (int i = 0; i < 3; i++) HttpHead.parseField(line, 0, line.length, h, 3);
        assertThatThrownBy(() -> HttpHead.parseField(line, 0, line.length, h, 3))
                .isInstanceOfSatisfying(HttpHeadException.class, e -> assertThat(e.status()).isEqualTo(431));
    }

    @Test
    void knownNamesKeepTheirSpelling() throws Exception {
        assertThat(field("host: a").names()).containsExactly("host");
        assertThat(field("HOST: a").names()).containsExactly("HOST");
        assertThat(field("Host: a").names()).containsExactly("Host");
        assertThat(field("Upgrade: WebSocket").get("upgrade")).isEqualTo("WebSocket");
    }

    @Test
    void wholeHeadParsedAndLeftoverKept() throws Exception {
        byte[] bytes = b("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u0081\u0002hi");
        HttpHead head = HttpHead.read(new ByteArrayInputStream(bytes));
        assertThat(head.status()).isEqualTo(101);
        assertThat(head.statusLine().reason()).isEqualTo("Switching Protocols");
        assertThat(head.headers().containsToken("Connection", "upgrade")).isTrue();
        assertThat(head.leftover()).containsExactly(0x81, 0x02, 'h', 'i');
    }

    @Test
    void headReadOneByteAtATime() throws Exception {
        byte[] bytes = b("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
        InputStream trickle = new InputStream() {
            int i;
            @Override public int read() {
                return i < bytes.length ? bytes[i++] & 0xff : -1;
            }
            @Override public int read(byte[] buf, int off, int len) {
                if (i >= bytes.length) return -1;
                buf[off] = bytes[i++];
                return 1;
            }
        };
        HttpHead head = HttpHead.read(trickle);
        assertThat(head.requestLine()).isEqualTo(new HttpHead.RequestLine("GET", "/x", "HTTP/1.1"));
        assertThat(head.headers().get("host")).isEqualTo("a");
        assertThat(head.leftover()).isEmpty();
    }

    @Test
    void rfc9112_2_2_bareCrOrLfIsRefused() {
        for (String bad : new String[] {"HTTP/1.1 101 x\nUpgrade: websocket\r\n\r\n", "HTTP/1.1 101 x\r\nUpgrade: web\rsocket\r\n\r\n",
                "HTTP/1.1 101 x\r\nUpgrade: websocket\n\r\n\r\n"}) {
            byte[] bytes = b(bad);
            assertThatThrownBy(() -> HttpHead.read(new ByteArrayInputStream(bytes))).as(bad)
                    .isInstanceOfSatisfying(HttpHeadException.class, e -> assertThat(e.status()).isEqualTo(400));
        }
    }

    @Test
    void headSizeLimit() {
        byte[] big = b("HTTP/1.1 200 OK\r\nX: " + "a".repeat(200) + "\r\n\r\n");
        assertThatThrownBy(() -> HttpHead.read(new ByteArrayInputStream(big), 100, 10))
                .isInstanceOfSatisfying(HttpHeadException.class, e -> assertThat(e.status()).isEqualTo(431));
        assertThatThrownBy(() -> HttpHead.read(new ByteArrayInputStream(b("HTTP/1.1 200 OK\r\n")))).isInstanceOf(IOException.class)
                .isNotInstanceOf(HttpHeadException.class);
    }

    @Test
    void encodeWritesWhatParseReads() throws Exception {
        HttpHeaders h = HttpHeaders.of("Upgrade", "websocket", "X", "caf\u00e9", "Y", "\u010a");
        byte[] bytes = HttpHead.encode("HTTP/1.1 101 Switching Protocols", HttpHeaders.of("Date", "d"), h);
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).isEqualTo(
                "HTTP/1.1 101 Switching Protocols\r\nDate: d\r\nUpgrade: websocket\r\nX: caf\u00e9\r\nY: ?\r\n\r\n");
        HttpHead back = HttpHead.parse(bytes, 0, bytes.length, 10, new byte[0]);
        assertThat(back.headers().get("x")).isEqualTo("caf\u00e9");
        assertThat(back.headers().size()).isEqualTo(4);
    }

    /** A server's handshakes repeat their Host and Origin: a WebSocket keeps its head for life, so they share a String. */
    @Test
    void repeatedHostAndOriginValuesShareOneString() throws Exception {
        byte[] head = b("GET /ws HTTP/1.1\r\nHost: example.test:8443\r\nOrigin: https://example.test\r\nX-Id: 1\r\n\r\n");
        HttpHead first = HttpHead.parse(head, 0, head.length, 10, new byte[0]);
        HttpHead second = HttpHead.parse(head, 0, head.length, 10, new byte[0]);
        assertThat(second.headers().get("Host")).isEqualTo("example.test:8443").isSameAs(first.headers().get("Host"));
        assertThat(second.headers().get("Origin")).isEqualTo("https://example.test").isSameAs(first.headers().get("Origin"));
        byte[] other = b("GET /ws HTTP/1.1\r\nhost: other.test\r\n\r\n");
        assertThat(HttpHead.parse(other, 0, other.length, 10, new byte[0]).headers().get("Host")).isEqualTo("other.test");
    }
}
