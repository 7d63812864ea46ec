package io.loomsocket.interop.deflate;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.Message;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketConfig;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.interop.peers.PeerProcess;
import io.loomsocket.interop.peers.PeerResult;
import io.loomsocket.interop.servers.OurServer;
import io.loomsocket.testing.IntegrationTest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 7692 §7.1.2 against real peers: Python websockets and Node's ws, in both roles, every window
 * size 8..15 for {@code server_max_window_bits} and {@code client_max_window_bits}, with and
 * without both no_context_takeover parameters (a configuration is "bits-ctx" or "bits-noctx").
 * Each configuration is one connection that echoes text-like, random and repetitive payloads at
 * the frame size boundaries (0, 1, 125, 126, 127, 65535, 65536) and around the small windows,
 * with pings and a fragmented message in between. One peer process per test: the peer scripts
 * ({@code peers/py_deflate_peer.py}, {@code peers/node_deflate_peer.js}) start a server per
 * configuration, or connect once per configuration.
 *
 * <p>zlib rejects raw DEFLATE with an 8-bit window (zlib.h, {@code deflateInit2}), so Python's own
 * compressor is given 9 where the configuration says 8 (it would refuse); Node's ws (its zlib
 * build) compresses with 8. Our compressor honours 8, checked by both peers' 8-bit decoders.
 */
@IntegrationTest
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DeflateWindowInteropTest {

    static final int[] SIZES = {0, 1, 125, 126, 127, 256, 257, 1000, 4096, 65535, 65536};
    static final Duration STEP = Duration.ofSeconds(20);

    /** Our server: honours any window the client asks for, compresses every message. */
    static final Map<String, Object> SERVER_SETTINGS = Map.of("websocket.compression_window_bits", 15,
            "websocket.compression_client_window_bits", 15, "websocket.compression_threshold", 0,
            "websocket.ping_interval", Duration.ZERO);

    @ParameterizedTest(name = "their {0} client, our server")
    @ValueSource(strings = {"python", "node"})
    void theirClientOurServerEveryWindowBothWays(String peer) throws IOException {
        try (OurServer server = OurServer.start(SERVER_SETTINGS);
             PeerProcess p = peer.equals("python") ? PeerProcess.python("py_deflate_peer.py", "client", server.url("/close"))
                     : PeerProcess.node("node_deflate_peer.js", "client", server.url("/close"))) {
            PeerResult r = p.awaitResult(Duration.ofSeconds(170));
            assertThat(r.failures()).as(r.transcript()).isEmpty();
            assertThat(r.ok()).as(r.transcript()).isTrue();
            Map<String, String> negotiated = new LinkedHashMap<>();
            r.lines().stream().filter(l -> l.startsWith("NEGOTIATED ")).forEach(l -> {
                String[] parts = l.split(" ", 3);
                negotiated.put(parts[1], parts[2]);
            });
            assertThat(negotiated).hasSize(16);
            negotiated.forEach((config, header) -> {
                int bits = Integer.parseInt(config.split("-")[0]);
                int clientBits = peer.equals("python") ? Math.max(bits, 9) : bits; // see the class comment
                assertThat(header).as(config).contains("server_max_window_bits=" + bits);
                if (clientBits < 15 && config.endsWith("-ctx")) { // with client_no_context_takeover no limit is needed
                    assertThat(header).as(config).contains("client_max_window_bits=" + clientBits);
                }
                assertThat(header.contains("server_no_context_takeover")).as(config).isEqualTo(config.endsWith("noctx"));
                assertThat(header.contains("client_no_context_takeover")).as(config).isEqualTo(config.endsWith("noctx"));
            });
        }
    }

    @ParameterizedTest(name = "our client, their {0} server")
    @ValueSource(strings = {"python", "node"})
    void ourClientTheirServerEveryWindowBothWays(String peer) throws IOException {
        try (PeerProcess p = peer.equals("python") ? PeerProcess.python("py_deflate_peer.py", "servers")
                : PeerProcess.node("node_deflate_peer.js", "servers")) {
            Map<String, Integer> ports = new LinkedHashMap<>();
            for (String line; !(line = p.nextLine(STEP)).equals("READY"); ) {
                if (line.startsWith("LISTENING ")) {
                    String[] parts = line.split(" ");
                    ports.put(parts[1], Integer.parseInt(parts[2]));
                }
            }
            assertThat(ports).hasSize(16);
            Random rnd = new Random(7692);
            // offer no server_max_window_bits, so the peer's own setting decides it
            WebSocketConfig config = WebSocketConfig.builder().maxMessageSize(1 << 20).compressionThreshold(0)
                    .compressionPeerWindowBits(15).pingInterval(Duration.ZERO).build();
            WebSocketClient client = WebSocketClient.builder().connectTimeout(STEP).handshakeTimeout(STEP).config(config).build();
            for (Map.Entry<String, Integer> e : ports.entrySet()) {
                String c = e.getKey();
                int bits = Integer.parseInt(c.split("-")[0]);
                boolean ctx = c.endsWith("-ctx");
                WebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + e.getValue() + "/"));
                try {
                    String ext = ws.extensions();
                    int serverBits = peer.equals("python") ? Math.max(bits, 9) : bits;
                    assertThat(ext).as(c).contains("client_max_window_bits=" + bits);
                    if (serverBits < 15 || peer.equals("python")) {
                        assertThat(ext).as(c).contains("server_max_window_bits=" + serverBits);
                    }
                    assertThat(ext.contains("no_context_takeover")).as(c).isEqualTo(!ctx);
                    echoAll(ws, c, rnd);
                } finally {
                    ws.close();
                }
            }
        }
    }

    private static void echoAll(WebSocket ws, String config, Random rnd) throws IOException {
        int i = 0;
        for (Object[] payload : payloads(rnd)) {
            String name = config + " " + payload[0];
            if (payload[1] instanceof String text) {
                ws.send(text);
                Message m = next(ws, name);
                assertThat(m.isText()).as(name).isTrue();
                assertThat(m.text()).as(name).isEqualTo(text);
            } else {
                byte[] data = (byte[]) payload[1];
                ws.send(data);
                Message m = next(ws, name);
                assertThat(m.isText()).as(name).isFalse();
                assertThat(m.bytes()).as(name).isEqualTo(data);
            }
            if (i++ % 8 == 0) {
                ws.ping(); // a control frame between compressed messages
            }
        }
        String[] parts = {"frag-", "ment-", "ed ✓ ".repeat(300)};
        try (OutputStream out = ws.sendStream(true)) {
            for (String part : parts) {
                out.write(part.getBytes(StandardCharsets.UTF_8));
                out.flush(); // one frame each (RFC 7692 §6.1: one DEFLATE stream over the frames)
            }
        }
        assertThat(next(ws, config + " fragmented").text()).isEqualTo(String.join("", parts));
    }

    private static Message next(WebSocket ws, String what) {
        Optional<Message> m = ws.receive(STEP);
        assertThat(m).as("echo of " + what).isPresent();
        return m.get();
    }

    /** The same kinds and sizes the peer scripts send: {name, String or byte[]}. */
    static List<Object[]> payloads(Random rnd) {
        String[] words = {"loom", "socket", "{\"id\":", "\"room\":\"lobby\"", "the", "of", "42", "true", "héllo", "✓"};
        List<Object[]> out = new ArrayList<>();
        for (int n : SIZES) {
            StringBuilder sb = new StringBuilder();
            for (int size = 0; size < n; ) {
                String w = words[rnd.nextInt(words.length)] + " ";
                sb.append(w);
                size += w.getBytes(StandardCharsets.UTF_8).length;
            }
            byte[] utf8 = sb.toString().getBytes(StandardCharsets.UTF_8);
            int len = Math.min(n, utf8.length);
            while (len < utf8.length && len > 0 && (utf8[len] & 0xC0) == 0x80) {
                len--; // never cut inside a character
            }
            String text = new String(utf8, 0, len, StandardCharsets.UTF_8);
            text = text + "a".repeat(n - text.getBytes(StandardCharsets.UTF_8).length);
            out.add(new Object[] {"text " + n, text});
            byte[] random = new byte[n];
            rnd.nextBytes(random);
            out.add(new Object[] {"random " + n, random});
            byte[] rep = new byte[n];
            for (int k = 0; k < n; k++) {
                rep[k] = (byte) "abcabcabd".charAt(k % 9);
            }
            out.add(new Object[] {"repeat " + n, rep});
        }
        return out;
    }
}
