package io.loomsocket.interop.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.interop.peers.PeerProcess;
import io.loomsocket.interop.peers.PeerResult;
import io.loomsocket.interop.servers.OurServer;
import io.loomsocket.testing.IntegrationTest;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The interop matrix, our server's side: real clients nobody here wrote talk to the demo's
 * {@code /echo} and to {@code /close}. Each pair adds a row to {@link Matrix}.
 */
@IntegrationTest
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ServerInteropTest {

    static final int MAX = OurServer.MAX_MESSAGE_SIZE;
    static OurServer server;

    @BeforeAll
    static void start() throws IOException {
        server = OurServer.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        Matrix.print();
    }

    static void record(String pair, String compression, Checks checks, String transcript) {
        Matrix.add(Matrix.row(pair, compression, checks));
        assertThat(checks.failures()).as("%s (%s):%n%s", pair, compression, transcript).isEmpty();
        assertThat(checks.ok()).as(transcript).isTrue();
    }

    static void script(PeerProcess p, String pair, String compression) {
        PeerResult r = p.awaitResult(Duration.ofSeconds(120));
        Checks checks = Checks.of(r.lines());
        if (r.exitCode() != 0 && checks.failures().isEmpty()) checks.check("driver exit", false, "exit " + r.exitCode());
        record(pair, compression, checks, r.transcript());
    }

    @Test
    @DisplayName("our server <- Python websockets client, no compression")
    void pythonClient() throws IOException {
        try (PeerProcess p = PeerProcess.python("py_client.py", server.url("/echo"), server.url("/close"), "none", Integer.toString(MAX))) {
            script(p, "our server <- Python websockets 10.4", "none");
        }
    }

    @Test
    @DisplayName("our server <- Python websockets client, permessage-deflate")
    void pythonClientDeflate() throws IOException {
        try (PeerProcess p = PeerProcess.python("py_client.py", server.url("/echo"), server.url("/close"), "deflate", Integer.toString(MAX))) {
            script(p, "our server <- Python websockets 10.4", "permessage-deflate");
        }
    }

    @Test
    @DisplayName("our server <- Node ws client, no compression")
    void nodeClient() throws IOException {
        try (PeerProcess p = PeerProcess.node("node_client.js", server.url("/echo"), server.url("/close"), "none", Integer.toString(MAX))) {
            script(p, "our server <- Node ws 8", "none");
        }
    }

    @Test
    @DisplayName("our server <- Node ws client, permessage-deflate")
    void nodeClientDeflate() throws IOException {
        try (PeerProcess p = PeerProcess.node("node_client.js", server.url("/echo"), server.url("/close"), "deflate", Integer.toString(MAX))) {
            script(p, "our server <- Node ws 8", "permessage-deflate");
        }
    }

    @Test
    @DisplayName("our server <- JDK java.net.http.WebSocket")
    void jdkClient() {
        Checks c = JdkClientDriver.run(URI.create(server.url("/echo")), URI.create(server.url("/close")), MAX);
        record("our server <- JDK java.net.http.WebSocket " + Runtime.version().feature(), "none (not supported by the JDK)", c,
            String.join("\n", c.lines()));
    }

    @Test
    @DisplayName("our server <- OkHttp 5 WebSocket")
    void okHttpClient() {
        Checks c = OkHttpClientDriver.run(server.url("/echo"), server.url("/close"), MAX);
        record("our server <- OkHttp 5.5.1", "permessage-deflate (OkHttp's offer)", c, String.join("\n", c.lines()));
    }

    @Test
    @DisplayName("our server <- headless Chromium's WebSocket")
    void chromium() throws IOException {
        Checks c;
        try (OurServer pinging = OurServer.start(java.util.Map.of("websocket.ping_interval", Duration.ofMillis(200),
                "websocket.ping_timeout", Duration.ofSeconds(1)))) {
            c = ChromiumClientDriver.run(pinging.httpUrl("/index2/"), pinging.url("/echo"), pinging.url("/close"), MAX);
        }
        record("our server <- headless Chromium", "permessage-deflate (Chromium's offer)", c, String.join("\n", c.lines()));
    }
}
