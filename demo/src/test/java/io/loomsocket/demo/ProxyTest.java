package io.loomsocket.demo;

import static io.loomsocket.web.Views.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketHandshakeException;
import io.loomsocket.channels.ChannelLayer;
import io.loomsocket.channels.ChannelLayers;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.server.HttpServer;
import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.web.Response;
import io.loomsocket.web.Settings;
import io.loomsocket.web.UrlPattern;
import io.loomsocket.web.WebApp;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo behind a real nginx (Debian's, installed by scripts/install-peers.sh) that terminates
 * TLS and proxies HTTP and WebSockets from 127.0.0.2, the only trusted proxy: the client address,
 * scheme and host the server sees come from nginx's X-Forwarded-* headers, and the same headers
 * sent straight to the server by anyone else are ignored.
 */
@IntegrationTest
class ProxyTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String NGINX = "/usr/sbin/nginx";

    @TempDir
    Path dir;

    private ChannelLayer layer;
    private HttpServer server;
    private Process nginx;
    private int proxyPort;
    private SSLContext tls;
    private HttpClient http;

    @BeforeEach
    void start() throws Exception {
        assertThat(Path.of(NGINX)).as("nginx (Debian package nginx; scripts/install-peers.sh installs it)").exists();
        layer = ChannelLayers.fromSetting("memory");
        List<UrlPattern> urls = new ArrayList<>(DemoApp.urlpatterns(layer));
        urls.add(path("^whoami$", r -> Response.json(Map.of("client", r.clientAddress(), "secure", r.isSecure(),
                "host", String.valueOf(r.host())))));
        server = WebApp.builder()
                .settings(Settings.builder().environment(Map.of()).port(0)
                        .set("http.trusted_proxies", "127.0.0.2")
                        .set("access_log", dir.resolve("access.log").toString()).build())
                .urls(urls).classLoader(DemoApp.class.getClassLoader()).build().start();

        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", dir.resolve("key.pem").toString(),
                "-out", dir.resolve("cert.pem").toString());
        tls = trusting(dir.resolve("cert.pem"));
        http = HttpClient.newBuilder().sslContext(tls).connectTimeout(WAIT).build();

        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            proxyPort = probe.getLocalPort();
        }
        String t = dir.toString();
        Files.writeString(dir.resolve("nginx.conf"), """
                daemon off;
                master_process off;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log notice;
                events { worker_connections 64; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    map $http_upgrade $connection_upgrade { default upgrade; '' close; }
                    server {
                        listen 127.0.0.1:%2$d ssl;
                        ssl_certificate %1$s/cert.pem;
                        ssl_certificate_key %1$s/key.pem;
                        location / {
                            proxy_pass http://127.0.0.1:%3$d;
                            proxy_bind 127.0.0.2;
                            proxy_http_version 1.1;
                            proxy_set_header Upgrade $http_upgrade;
                            proxy_set_header Connection $connection_upgrade;
                            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                            proxy_set_header X-Forwarded-Proto $scheme;
                            proxy_set_header X-Forwarded-Host $http_host;
                        }
                    }
                }
                """.formatted(t, proxyPort, server.port()));
        nginx = new ProcessBuilder(NGINX, "-p", t, "-e", t + "/error.log", "-c", t + "/nginx.conf")
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", proxyPort), 500);
                break;
            } catch (java.io.IOException e) {
                if (!nginx.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("nginx did not start: " + Files.readString(dir.resolve("nginx.out"))
                            + (Files.exists(dir.resolve("error.log")) ? Files.readString(dir.resolve("error.log")) : ""), e);
                }
                Thread.sleep(50);
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (nginx != null) {
            nginx.destroy(); // SIGTERM: nginx's fast shutdown
            if (!nginx.waitFor(10, TimeUnit.SECONDS)) nginx.destroyForcibly();
        }
        if (server != null) server.stop(Duration.ofSeconds(2));
        if (layer != null) layer.close();
    }

    @Test
    void throughNginxTheClientAddressSchemeAndHostAreTheClientsAndSpoofedHopsAreIgnored() throws Exception {
        HttpResponse<String> viaProxy = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + proxyPort + "/whoami"))
                .header("X-Forwarded-For", "203.0.113.7").timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(viaProxy.statusCode()).isEqualTo(200);
        // nginx connected from 127.0.0.2 and appended its client, 127.0.0.1: the right-most untrusted address
        assertThat(viaProxy.body()).contains("\"client\":\"127.0.0.1\"", "\"secure\":true", "\"host\":\"127.0.0.1:" + proxyPort + "\"");

        HttpResponse<String> direct = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/whoami"))
                .header("X-Forwarded-For", "203.0.113.7").header("X-Forwarded-Proto", "https").header("X-Forwarded-Host", "evil.example")
                .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(direct.body()).as("from an untrusted peer the headers are ignored")
                .contains("\"client\":\"127.0.0.1\"", "\"secure\":false", "\"host\":\"127.0.0.1:" + server.port() + "\"");
    }

    @Test
    void webSocketsPassThroughNginxAndTheOriginCheckSeesTheForwardedHost() throws Exception {
        String origin = "https://127.0.0.1:" + proxyPort;
        WebSocketClient client = WebSocketClient.builder().sslContext(tls).header("Origin", origin).build();
        try (WebSocket ws = client.connect(URI.create("wss://127.0.0.1:" + proxyPort + "/echo"))) {
            ws.send("through nginx");
            assertThat(ws.receive(WAIT)).contains(Message.text("through nginx"));
            ws.close(1000, "");
        }
        assertThatThrownBy(() -> WebSocketClient.builder().sslContext(tls).header("Origin", "https://evil.example").build()
                .connect(URI.create("wss://127.0.0.1:" + proxyPort + "/echo")))
                .isInstanceOfSatisfying(WebSocketHandshakeException.class, e -> assertThat(e.status()).isEqualTo(403));
        assertThatThrownBy(() -> WebSocketClient.builder().header("Origin", origin).header("X-Forwarded-Host", "127.0.0.1:" + proxyPort)
                .build().connect(URI.create("ws://127.0.0.1:" + server.port() + "/echo")))
                .as("straight to the server, the proxy's origin is foreign and X-Forwarded-Host is not believed")
                .isInstanceOfSatisfying(WebSocketHandshakeException.class, e -> assertThat(e.status()).isEqualTo(403));

        server.stop(Duration.ofSeconds(2)); // flushes the access log
        server = null;
        List<String> log = Files.readAllLines(dir.resolve("access.log"));
        assertThat(log).anySatisfy(l -> assertThat(l).startsWith("127.0.0.1 - - [").contains("\"GET /echo HTTP/1.1\" 101 - \"WebSocket closed 1000\""));
        assertThat(log).noneSatisfy(l -> assertThat(l).startsWith("127.0.0.2 "));
    }

    private static SSLContext trusting(Path certPem) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(certPem)) {
            ks.setCertificateEntry("nginx", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("cmd.out").toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + Files.readString(dir.resolve("cmd.out"))).isZero();
    }
}
