package io.loomsocket.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketException;
import io.loomsocket.testing.IntegrationTest;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** wss:// with the JDK's TLS against a server with a self-signed certificate made by keytool. */
@IntegrationTest
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsTest {
    private static final char[] PASSWORD = "changeit".toCharArray();
    private static KeyStore keyStore;

    @BeforeAll
    static void makeCertificate(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "san=dns:localhost,ip:127.0.0.1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", file.toString(),
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(output).isZero();
        keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            keyStore.load(in, PASSWORD);
        }
    }

    private static SSLContext serverContext() throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private static SSLContext trustingClientContext() throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keyStore);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static TestServer tlsEchoServer() throws Exception {
        SSLServerSocket ss = (SSLServerSocket) serverContext().getServerSocketFactory().createServerSocket();
        ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return TestServer.on(ss, ws -> {
            for (var m : ws) ws.send(m);
        });
    }

    @Test
    void wssEchoesWithSniAndACustomTrustStore() throws Exception {
        try (TestServer server = tlsEchoServer();
             WebSocket ws = WebSocketClient.builder().sslContext(trustingClientContext()).build()
                     .connect(URI.create("wss://localhost:" + server.port() + "/secure"))) {
            ws.send("über TLS");
            assertThat(ws.receive()).contains(Message.text("über TLS"));
            byte[] big = new byte[300_000];
            ws.send(big);
            assertThat(ws.receive().orElseThrow().bytes()).hasSize(big.length);
            assertThat(server.sniNames).containsExactly("localhost");
            ws.close();
            assertThat(ws.closeCode()).hasValue(1000);
        }
    }

    @Test
    void anUntrustedCertificateFailsTheConnection() throws Exception {
        try (TestServer server = tlsEchoServer()) {
            assertThatThrownBy(() -> WebSocketClient.connect("wss://localhost:" + server.port() + "/"))
                    .isInstanceOf(WebSocketException.class).hasCauseInstanceOf(SSLHandshakeException.class);
        }
    }
}
