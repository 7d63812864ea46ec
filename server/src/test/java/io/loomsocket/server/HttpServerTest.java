package io.loomsocket.server;

import io.loomsocket.engine.HttpHeaders;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.testing.IntegrationTest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The HTTP/1.1 server over real sockets: framing, keep-alive, status codes, limits, timeouts. */
@IntegrationTest
class HttpServerTest {
    private HttpServer server;

    /** Echoes the request: method, path, query and body. */
    private static final HttpHandler ECHO = ex -> {
        HttpRequestHead r = ex.request();
        if (r.path().equals("/boom")) throw new IllegalStateException("boom");
        if (r.path().equals("/stream")) {
            ex.respond(200, new HttpHeaders().set("Content-Type", "text/plain"), (OutputStream out) -> {
                for (int i = 0; i < 3; i++) {
                    out.write(("part" + i + ";").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            });
            return;
        }
        String text = r.method() + " " + r.path() + " ?" + r.rawQuery() + " " + new String(ex.body(), StandardCharsets.UTF_8);
        ex.respond(200, new HttpHeaders().set("Content-Type", "text/plain"), text.getBytes(StandardCharsets.UTF_8));
    };

    private int start(ServerOptions.Builder b, HttpHandler h) throws IOException {
        server = HttpServer.start(b.host("127.0.0.1").port(0).build(), h);
        return server.port();
    }

    private int start() throws IOException {
        return start(ServerOptions.builder(), ECHO);
    }

    @AfterEach
    void stop() {
        if (server != null) server.stop(Duration.ofSeconds(2));
    }

    @Test
    void getWithContentLengthAndDate() throws IOException {
        var r = RawHttp.exchange(start(), "GET /a/b?x=1 HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("GET /a/b ?x=1 ");
        assertThat(r.header("content-length")).isEqualTo("14");
        assertThat(r.header("date")).isNotBlank();
    }

    @Test
    void keepAliveServesSeveralRequestsAndPipelining() throws IOException {
        try (RawHttp c = new RawHttp(start())) {
            c.send("GET /1 HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(c.read().text()).startsWith("GET /1");
            c.send("GET /2 HTTP/1.1\r\nHost: h\r\n\r\nGET /3 HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(c.read().text()).startsWith("GET /2");
            var third = c.read();
            assertThat(third.text()).startsWith("GET /3");
            assertThat(third.header("connection")).isNull();
            c.send("GET /4 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
            assertThat(c.read().header("connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void http10ClosesUnlessKeepAlive() throws IOException {
        int port = start();
        try (RawHttp c = new RawHttp(port)) {
            c.send("GET /x HTTP/1.0\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawHttp c = new RawHttp(port)) {
            c.send("GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertThat(c.read().header("connection")).isEqualTo("keep-alive");
            c.send("GET /y HTTP/1.0\r\n\r\n");
            assertThat(c.read().text()).startsWith("GET /y");
        }
    }

    @Test
    void headHasLengthButNoBody() throws IOException {
        try (RawHttp c = new RawHttp(start())) {
            c.send("HEAD /h HTTP/1.1\r\nHost: h\r\n\r\n");
            var r = c.read(true);
            assertThat(r.header("content-length")).isEqualTo("10");
            c.send("GET /after HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(c.read().text()).startsWith("GET /after"); // no stray body bytes in between
        }
    }

    @Test
    void contentLengthAndChunkedBodies() throws IOException {
        try (RawHttp c = new RawHttp(start())) {
            c.send("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
            assertThat(c.read().text()).isEqualTo("POST /p ? hello");
            c.send("PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3;name=value\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n");
            assertThat(c.read().text()).isEqualTo("PUT /c ? abc0123456789");
            c.send("DELETE /d HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(c.read().text()).isEqualTo("DELETE /d ? ");
        }
    }

    @Test
    void expectContinue() throws IOException {
        try (RawHttp c = new RawHttp(start())) {
            c.send("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(100);
            c.send("ok");
            assertThat(c.read().text()).isEqualTo("POST /p ? ok");
        }
    }

    @Test
    void streamedResponseIsChunkedForHttp11AndCloseDelimitedFor10() throws IOException {
        int port = start();
        try (RawHttp c = new RawHttp(port)) {
            var r = c.send("GET /stream HTTP/1.1\r\nHost: h\r\n\r\n").read();
            assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(r.text()).isEqualTo("part0;part1;part2;");
            c.send("GET /again HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
        }
        var r10 = RawHttp.exchange(port, "GET /stream HTTP/1.0\r\n\r\n");
        assertThat(r10.header("transfer-encoding")).isNull();
        assertThat(r10.text()).isEqualTo("part0;part1;part2;");
    }

    /** RFC 9112 §11.2: ambiguous framing is refused and the connection closed. */
    @ParameterizedTest
    @ValueSource(strings = {
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 4\r\n\r\nabcd",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -3\r\n\r\nabc",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x3\r\n\r\nabc",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nabc\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0x3\r\nabc\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n 3\r\nabc\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\r\n folded\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX-A : a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\nX-A: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\rX-A: a\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET  / HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /\u0001 HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1 extra\r\nHost: h\r\n\r\n",
        "G(ET / HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTX/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n",
    })
    void malformedOrAmbiguousRequestsGet400AndClose(String raw) throws IOException {
        try (RawHttp c = new RawHttp(start())) {
            var r = c.send(raw).read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    /**
     * RFC 9110 §5.6.3: only SP and HTAB are optional whitespace around a field value. Other
     * controls (VT, FF, FS..US) stay in the value and make it invalid, so a front proxy that
     * disagrees about framing cannot smuggle a request past us.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\u000b\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: \u000cchunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\u001f\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\u001c\r\n\r\nabcd",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \u001d4\r\n\r\nabcd",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\u001e\r\n\r\nabcd",
        "GET / HTTP/1.1\r\nHost: h\u000b\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\u000b;x\r\nabc\r\n0\r\n\r\n",
    })
    void controlCharactersAroundAFieldValueAre400(String raw) throws IOException {
        try (RawHttp c = new RawHttp(start())) {
            var r = c.send(raw).read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void spaceAndTabAroundAFieldValueAreOptionalWhitespace() throws IOException {
        int port = start();
        assertThat(RawHttp.exchange(port, "POST / HTTP/1.1\r\nHost:\th \r\nContent-Length: \t4\t \r\n\r\nabcd").text())
                .isEqualTo("POST / ? abcd");
        assertThat(RawHttp.exchange(port, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\t chunked \t\r\n\r\n"
                + "2 \t;x\r\nab\r\n0\r\n\r\n").text()).isEqualTo("POST / ? ab");
    }

    /** RFC 9112 §3.2 and RFC 9110 §7.2: Host is uri-host [":" port], once; anything else is 400. */
    @ParameterizedTest
    @ValueSource(strings = {
        "GET / HTTP/1.1\r\nHost:\r\n\r\n",
        "GET / HTTP/1.1\r\nHost:  \r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a b/c@d\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: user@h\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h/path\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h:\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h:99999\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h:8o\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: :80\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: [127.0.0.1]\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h, i\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h%zz\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\u00e9\r\n\r\n",
        "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET / HTTP/1.0\r\nHost: \r\n\r\n",
        "GET http://user@h/ HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n",
    })
    void malformedOrRepeatedHostIs400(String raw) throws IOException {
        try (RawHttp c = new RawHttp(start())) {
            var r = c.send(raw).read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void validHostsAndTheAuthorityOfAnAbsoluteTarget() throws IOException {
        HttpHandler authority = ex -> ex.respond(200, new HttpHeaders(),
                String.valueOf(ex.request().authority()).getBytes(StandardCharsets.UTF_8));
        int port = start(ServerOptions.builder(), authority);
        for (String host : new String[] {"localhost:8000", "127.0.0.1", "[::1]:8000", "[2001:db8::7]", "[v1.x]", "xn--bcher-kva.example",
                "a_b.example:65535", "h%41"}) {
            assertThat(RawHttp.exchange(port, "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").text()).as(host).isEqualTo(host);
        }
        // RFC 9112 §3.2.2: the authority of an absolute-form target wins over Host
        assertThat(RawHttp.exchange(port, "GET http://other.example:81/x?y HTTP/1.1\r\nHost: h\r\n\r\n").text())
                .isEqualTo("other.example:81");
        assertThat(RawHttp.exchange(port, "GET / HTTP/1.0\r\n\r\n").text()).isEqualTo("null");
    }

    /**
     * Any answer but 101 to a request that asks for an Upgrade closes the connection: a proxy that
     * does not wait for the 101 may already treat the connection as a tunnel.
     */
    @Test
    void aRequestWithUpgradeAnsweredWithoutASwitchClosesTheConnection() throws IOException {
        try (RawHttp c = new RawHttp(start())) {
            var r = c.send("GET /x HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("connection")).isEqualTo("close");
            c.send("GET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void unknownTransferCodingIs501AndMethods() throws IOException {
        int port = start();
        assertThat(RawHttp.exchange(port, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n").status()).isEqualTo(501);
        assertThat(RawHttp.exchange(port, "BREW / HTTP/1.1\r\nHost: h\r\n\r\n").status()).isEqualTo(501);
        assertThat(RawHttp.exchange(port, "TRACE / HTTP/1.1\r\nHost: h\r\n\r\n").status()).isEqualTo(405);
        assertThat(RawHttp.exchange(port, "GET / HTTP/2.0\r\nHost: h\r\n\r\n").status()).isEqualTo(505);
    }

    @Test
    void limitsGive413And431And414() throws IOException {
        int port = start(ServerOptions.builder().maxBodySize(10).maxHeaderCount(5).maxHeaderSize(512), ECHO);
        assertThat(RawHttp.exchange(port, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n01234567890").status()).isEqualTo(413);
        assertThat(RawHttp.exchange(port, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789").status()).isEqualTo(200);
        assertThat(RawHttp.exchange(port, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n5\r\n01234\r\n0\r\n\r\n").status()).isEqualTo(413);
        assertThat(RawHttp.exchange(port, "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n").status()).isEqualTo(431);
        assertThat(RawHttp.exchange(port, "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n").status()).isEqualTo(200);
        assertThat(RawHttp.exchange(port, "GET / HTTP/1.1\r\nHost: h\r\nBig: " + "x".repeat(500) + "\r\n\r\n").status()).isEqualTo(431);
        assertThat(RawHttp.exchange(port, "GET /" + "x".repeat(600) + " HTTP/1.1\r\nHost: h\r\n\r\n").status()).isEqualTo(414);
    }

    @Test
    void handlerExceptionGives500AndKeepsConnection() throws IOException {
        try (RawHttp c = new RawHttp(start())) {
            assertThat(c.send("GET /boom HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(500);
            assertThat(c.send("GET /ok HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(200);
        }
    }

    @Test
    void portInUseIsAClearStartUpError() throws IOException {
        int port = start();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpServer.start(ServerOptions.builder().port(port).build(), ECHO))
                .isInstanceOf(IOException.class).hasMessageContaining("cannot listen on 127.0.0.1:" + port);
    }

    @Test
    void handlerThatDoesNotRespondGives500() throws IOException {
        int port = start(ServerOptions.builder(), ex -> { });
        assertThat(RawHttp.exchange(port, "GET / HTTP/1.1\r\nHost: h\r\n\r\n").status()).isEqualTo(500);
    }

    @Test
    void slowHeadIsDroppedAfterHeaderReadTimeout() throws IOException {
        int port = start(ServerOptions.builder().headerReadTimeout(Duration.ofMillis(300)), ECHO);
        try (RawHttp c = new RawHttp(port)) {
            long t0 = System.nanoTime();
            c.send("GET / HTTP/1.1\r\nHost: h\r\n");
            for (int i = 0; i < 3; i++) { // dribbling bytes does not extend the deadline
                sleep(120);
                try { c.send("X: y\r\n"); } catch (IOException closed) { break; }
            }
            var r = c.read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(c.closedByServer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        }
        try (RawHttp silent = new RawHttp(port)) { // no byte at all: closed without a response
            assertThat(silent.closedByServer()).isTrue();
        }
    }

    @Test
    void stalledBodyGets408() throws IOException {
        int port = start(ServerOptions.builder().bodyReadTimeout(Duration.ofMillis(200)), ECHO);
        try (RawHttp c = new RawHttp(port)) {
            var r = c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc").read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    /**
     * The body read timeout bounds the whole body: a client trickling one byte every 100 ms (each
     * read well within the timeout) gets 408 and the connection is closed.
     */
    @Test
    void tricklingBodyGets408WhenTheWholeBodyIsLate() throws Exception {
        int port = start(ServerOptions.builder().bodyReadTimeout(Duration.ofMillis(500)), ECHO);
        try (RawHttp c = new RawHttp(port)) {
            c.send("POST /slow HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n");
            Thread trickle = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 1000; i++) {
                        c.send("x");
                        Thread.sleep(100);
                    }
                } catch (IOException | InterruptedException e) {
                    // the server closed the connection
                }
            });
            var r = c.read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
            trickle.interrupt();
        }
    }

    @Test
    void clientThatNeverReadsIsDroppedAfterTheWriteTimeout() throws Exception {
        CountDownLatch failed = new CountDownLatch(1);
        int port = start(ServerOptions.builder().writeTimeout(Duration.ofMillis(300)), ex -> {
            try {
                ex.respond(200, new HttpHeaders(), (OutputStream out) -> {
                    byte[] chunk = new byte[64 * 1024];
                    for (int i = 0; i < 2_000; i++) out.write(chunk); // 128 MB: far more than socket buffers hold
                });
            } catch (IOException e) {
                failed.countDown();
                throw e;
            }
        });
        try (RawHttp c = new RawHttp(port)) {
            c.socket.setReceiveBufferSize(4096);
            c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n"); // and never read
            assertThat(failed.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(server.writeTimeouts()).isEqualTo(1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.openConnections() > 0 && System.nanoTime() < deadline) sleep(10);
            assertThat(server.openConnections()).isZero();
        }
    }

    @Test
    void idleKeepAliveConnectionIsClosed() throws IOException {
        int port = start(ServerOptions.builder().keepAliveTimeout(Duration.ofMillis(200)), ECHO);
        try (RawHttp c = new RawHttp(port)) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(200);
            long t0 = System.nanoTime();
            assertThat(c.closedByServer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void connectionsBeyondTheLimitGet503() throws Exception {
        int port = start(ServerOptions.builder().maxConnections(2), ECHO);
        try (RawHttp a = new RawHttp(port); RawHttp b = new RawHttp(port)) {
            a.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read();
            b.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read();
            try (RawHttp c = new RawHttp(port)) {
                assertThat(c.read().status()).isEqualTo(503);
            }
            assertThat(server.refusedConnections()).isEqualTo(1);
            assertThat(a.send("GET /still HTTP/1.1\r\nHost: h\r\n\r\n").read().text()).startsWith("GET /still");
        }
    }

    /**
     * http.max_connections_per_ip: the third connection from 127.0.0.1 gets 503 and is closed, while
     * another address (127.0.0.2) still gets in; a slot is given back when its connection ends.
     */
    @Test
    void connectionsFromOneAddressBeyondItsLimitGet503() throws Exception {
        int port = start(ServerOptions.builder().maxConnectionsPerIp(2), ECHO);
        try (RawHttp a = new RawHttp(port); RawHttp b = new RawHttp(port)) {
            a.send("GET /a HTTP/1.1\r\nHost: h\r\n\r\n").read();
            b.send("GET /b HTTP/1.1\r\nHost: h\r\n\r\n").read();
            try (RawHttp c = new RawHttp(port)) {
                RawHttp.Response r = c.read(); // without sending anything, as at max_connections
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.header("connection")).isEqualTo("close");
                assertThat(c.closedByServer()).isTrue();
            }
            try (RawHttp other = new RawHttp(port, "127.0.0.2")) {
                assertThat(other.send("GET /other HTTP/1.1\r\nHost: h\r\n\r\n").read().text()).startsWith("GET /other");
            }
            assertThat(server.refusedConnections()).isEqualTo(1);
            a.close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.openConnections() > 1 && System.nanoTime() < deadline) sleep(5);
            try (RawHttp d = new RawHttp(port)) {
                assertThat(d.send("GET /d HTTP/1.1\r\nHost: h\r\n\r\n").read().text()).startsWith("GET /d");
            }
        }
    }

    /**
     * An Error thrown by accept (here an OutOfMemoryError, twice in a row, then an IOException) is
     * logged and the loop goes on accepting: the next client is served.
     */
    @Test
    void acceptLoopSurvivesErrorsAndKeepsServing() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        server = HttpServer.start(ServerOptions.builder().host("127.0.0.1").port(0).build(), ECHO, listening -> {
            switch (calls.incrementAndGet()) {
                case 1, 2 -> throw new OutOfMemoryError("injected by the test");
                case 3 -> throw new IOException("injected by the test");
                default -> { return listening.accept(); }
            }
        });
        try (RawHttp c = new RawHttp(server.port())) {
            assertThat(c.send("GET /alive HTTP/1.1\r\nHost: h\r\n\r\n").read().text()).startsWith("GET /alive");
        }
        assertThat(calls.get()).isGreaterThanOrEqualTo(4);
        assertThat(server.acceptedConnections()).isEqualTo(1);
    }

    @Test
    void gracefulStopClosesIdleConnectionsAndLetsBusyOnesFinish() throws Exception {
        CountDownLatch inView = new CountDownLatch(1);
        int port = start(ServerOptions.builder(), ex -> {
            if (ex.request().path().equals("/slow")) {
                inView.countDown();
                sleep(300);
            }
            ex.respond(200, new HttpHeaders(), "done".getBytes(StandardCharsets.UTF_8));
        });
        try (RawHttp idle = new RawHttp(port); RawHttp busy = new RawHttp(port)) {
            idle.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read();
            busy.send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(inView.await(5, TimeUnit.SECONDS)).isTrue();
            long t0 = System.nanoTime();
            server.stop(Duration.ofSeconds(5));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
            assertThat(idle.closedByServer()).isTrue();
            var r = busy.read();
            assertThat(r.text()).isEqualTo("done");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(server.openConnections()).isZero();
        }
    }

    @Test
    void requestRacingTheShutdownOnAJustAcceptedConnectionIsStillServed() throws Exception {
        int port = start();
        try (RawHttp racing = new RawHttp(port); RawHttp silent = new RawHttp(port)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.openConnections() < 2 && System.nanoTime() < deadline) sleep(5);
            Thread stopper = Thread.ofVirtual().start(() -> server.stop(Duration.ofSeconds(5)));
            sleep(200); // the server is stopping; this connection was accepted before
            var r = racing.send("GET /late HTTP/1.1\r\nHost: h\r\n\r\n").read();
            assertThat(r.text()).startsWith("GET /late");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(silent.closedByServer()).as("a new connection that sends nothing is closed after a short grace").isTrue();
            stopper.join();
            assertThat(server.openConnections()).isZero();
        }
    }

    @Test
    void upgradeHandsOverTheSocketWithLeftoverBytesAndNoMoreHttp() throws Exception {
        int port = start(ServerOptions.builder(), ex -> {
            UpgradedConnection u = ex.upgrade(new HttpHeaders().set("Upgrade", "echo").set("Connection", "Upgrade"));
            var s = u.socket();
            byte[] left = u.leftover();
            s.getOutputStream().write(left);
            s.getOutputStream().write(s.getInputStream().readNBytes(3));
            s.getOutputStream().flush();
        });
        try (RawHttp c = new RawHttp(port)) {
            c.send("GET / HTTP/1.1\r\nHost: h\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nearly");
            var r = c.read();
            assertThat(r.status()).isEqualTo(101);
            assertThat(r.header("content-length")).isNull();
            c.send("abc");
            assertThat(new String(c.readRest(), StandardCharsets.ISO_8859_1)).isEqualTo("earlyabc");
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
