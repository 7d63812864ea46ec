package io.loomsocket.web;

import static io.loomsocket.web.Views.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketConfig;
import io.loomsocket.connection.Transport;
import io.loomsocket.connection.WebSocketConnection;
import io.loomsocket.engine.ClientHandshake;
import io.loomsocket.engine.DeflateConfig;
import io.loomsocket.engine.HttpHeaders;
import io.loomsocket.engine.Role;
import io.loomsocket.server.HttpServer;
import io.loomsocket.testing.IntegrationTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS and WSS from the tls.keystore setting, with a self-signed certificate made by keytool. */
@IntegrationTest
class TlsTest {
    @TempDir
    static Path dir;
    static Path keystore;
    private HttpServer server;

    @BeforeAll
    static void makeKeystore() throws Exception {
        keystore = dir.resolve("server.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }

    @AfterEach
    void stop() {
        if (server != null) server.stop(Duration.ofSeconds(2));
    }

    private int start() throws IOException {
        Settings s = Settings.builder().environment(Map.of()).port(0)
                .set("tls.keystore", keystore.toString()).set("tls.keystore_password", "changeit").build();
        server = WebApp.builder().settings(s).urls(
                path("^hello$", r -> Response.text("secure=" + r.isSecure())),
                path("^echo$", acceptWebSocket(r -> {
                    for (Message m : r.websocket()) r.websocket().send(m);
                    return null;
                }))).build().start();
        assertThat(server.isSecure()).isTrue();
        return server.port();
    }

    private static SSLSocket connect(int port) throws Exception {
        return connect(port, null, null);
    }

    /** A client that trusts the test's certificate, limited to {@code protocol} and {@code suite} when not null. */
    private static SSLSocket connect(int port, String protocol, String suite) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() { // the test trusts its own self-signed certificate
            @Override public void checkClientTrusted(X509Certificate[] c, String a) { }
            @Override public void checkServerTrusted(X509Certificate[] c, String a) { }
            @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
        s.setSoTimeout(5000);
        if (protocol != null) s.setEnabledProtocols(new String[] {protocol});
        if (suite != null) s.setEnabledCipherSuites(new String[] {suite});
        s.startHandshake();
        return s;
    }

    @Test
    void httpsServesViews() throws Exception {
        int port = start();
        try (SSLSocket s = connect(port)) {
            s.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 200 OK").endsWith("secure=true");
        }
    }

    @Test
    void wssEchoes() throws Exception {
        int port = start();
        SSLSocket s = connect(port);
        ClientHandshake hs = new ClientHandshake("127.0.0.1:" + port, "/echo", List.of(), DeflateConfig.DEFAULT, new HttpHeaders());
        s.getOutputStream().write(hs.requestBytes());
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        assertThat(line(in)).startsWith("HTTP/1.1 101");
        HttpHeaders h = new HttpHeaders();
        for (String l = line(in); !l.isEmpty(); l = line(in)) h.add(l.substring(0, l.indexOf(':')), l.substring(l.indexOf(':') + 1).trim());
        var accepted = hs.validate(101, h);
        s.setSoTimeout(0);
        WebSocket ws = WebSocketConnection.open(Transport.of(s), new byte[0], Role.CLIENT, accepted.subprotocol(), accepted.deflate(),
                WebSocketConfig.defaults());
        ws.send("over TLS");
        ws.send(new byte[] {9, 8, 7});
        assertThat(ws.receive(Duration.ofSeconds(5))).contains(Message.text("over TLS"));
        assertThat(ws.receive(Duration.ofSeconds(5))).contains(Message.binary(new byte[] {9, 8, 7}));
        ws.close();
        assertThat(ws.closeCode().getAsInt()).isEqualTo(1000);
    }

    /** Over TLS the page's origin is https: an http (or ws) Origin with the same host and port is another origin. */
    @Test
    void overTlsAPlainHttpOriginIsAnotherOrigin() throws Exception {
        int port = start();
        String self = "127.0.0.1:" + port;
        for (String origin : List.of("http://" + self, "ws://" + self, "https://" + self, "wss://" + self)) {
            try (SSLSocket s = connect(port)) {
                s.getOutputStream().write(("GET /echo HTTP/1.1\r\nHost: " + self + "\r\nOrigin: " + origin
                        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                String status = line(s.getInputStream());
                assertThat(status).as(origin).startsWith(origin.startsWith("http:") || origin.startsWith("ws:")
                        ? "HTTP/1.1 403" : "HTTP/1.1 101");
            }
        }
    }

    private static String get(SSLSocket s, String path) throws IOException {
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        String status = line(in);
        int length = 0;
        for (String l = line(in); !l.isEmpty(); l = line(in)) {
            if (l.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) length = Integer.parseInt(l.substring(15).trim());
        }
        return status + " " + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /** The default suites are Mozilla's intermediate ones: CBC and SHA-1 suites are refused, AES-GCM and TLS 1.3 accepted. */
    @Test
    void cbcAndSha1SuitesAreRefusedByDefault() throws Exception {
        int port = start();
        assertThatThrownBy(() -> connect(port, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA").close())
                .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        assertThatThrownBy(() -> connect(port, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256").close())
                .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        try (SSLSocket s = connect(port, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")) {
            assertThat(get(s, "/hello")).isEqualTo("HTTP/1.1 200 OK secure=true");
        }
        try (SSLSocket s = connect(port, "TLSv1.3", null)) {
            assertThat(s.getSession().getCipherSuite()).isEqualTo("TLS_AES_128_GCM_SHA256");
        }
    }

    @Test
    void theSuitesAndProtocolsAreSettings() throws Exception {
        Settings s = Settings.builder().environment(Map.of()).port(0)
                .set("tls.keystore", keystore.toString()).set("tls.keystore_password", "changeit")
                .set("tls.protocols", "TLSv1.2").set("tls.cipher_suites", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA").build();
        server = WebApp.builder().settings(s).urls(path("^hello$", r -> Response.text("secure=" + r.isSecure()))).build().start();
        try (SSLSocket c = connect(server.port(), "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA")) {
            assertThat(get(c, "/hello")).isEqualTo("HTTP/1.1 200 OK secure=true");
        }
        assertThatThrownBy(() -> connect(server.port(), "TLSv1.3", null).close()).isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        assertThatThrownBy(() -> Settings.builder().environment(Map.of()).set("tls.keystore", keystore.toString())
                .set("tls.keystore_password", "changeit").set("tls.cipher_suites", "TLS_NO_SUCH_SUITE").build())
                .isInstanceOf(SettingsException.class).hasMessageContaining("TLS_NO_SUCH_SUITE");
    }

    /** A TLS 1.2 client that starts a renegotiation gets the handshake refused (no second handshake on our CPU). */
    @Test
    void clientInitiatedRenegotiationIsRefused() throws Exception {
        int port = start();
        try (SSLSocket s = connect(port, "TLSv1.2", null)) {
            assertThat(get(s, "/hello")).isEqualTo("HTTP/1.1 200 OK secure=true");
            assertThatThrownBy(() -> {
                s.startHandshake(); // a renegotiation on an established TLS 1.2 connection
                get(s, "/hello");
            }).isInstanceOf(IOException.class);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) throw new IOException("closed");
            if (c != '\r') b.write(c);
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}
