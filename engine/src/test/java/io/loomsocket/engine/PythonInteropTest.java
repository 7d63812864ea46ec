package io.loomsocket.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.loomsocket.testing.IntegrationTest;
import io.loomsocket.testing.Python;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

/**
 * The engine against a real peer, Python's {@code websockets} (Debian's python3-websockets), over
 * 127.0.0.1 sockets, permessage-deflate on: a minimal blocking loop around the engine on each
 * side. Skipped when /usr/bin/python3 lacks websockets.
 */
@IntegrationTest
@Timeout(120)
class PythonInteropTest {

    static Path script(String name) throws IOException {
        Path p = Files.createTempFile("loomsocket-", name);
        try (InputStream in = PythonInteropTest.class.getResourceAsStream("/interop/" + name)) {
            Files.write(p, in.readAllBytes());
        }
        p.toFile().deleteOnExit();
        return p;
    }

    /** Reads an HTTP head (bounded to 8 KiB): first line, then headers into {@code headers}. */
    static String readHead(InputStream in, HttpHeaders headers) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0 || sb.length() > 8192) {
                throw new IOException("bad HTTP head: " + sb);
            }
            sb.append((char) c);
        }
        String[] lines = sb.toString().split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.add(lines[i].substring(0, colon).strip(), lines[i].substring(colon + 1).strip());
        }
        return lines[0];
    }

    /** One WebSocket connection driven by the engine, blocking. */
    static final class Peer {
        final InputStream in;
        final OutputStream out;
        final MessageAssembler assembler;
        final MessageEncoder encoder;
        final ByteBuffer rbuf = ByteBuffer.allocate(16384).flip();
        final ByteBuffer wbuf = ByteBuffer.allocate(16384);

        Peer(InputStream in, OutputStream out, Role role, PerMessageDeflate pmd) {
            this(in, out, role, pmd, EngineConfig.defaults().withMaxMessageSize(1 << 22).withMaxFrameSize(1 << 22));
        }

        Peer(InputStream in, OutputStream out, Role role, PerMessageDeflate pmd, EngineConfig cfg) {
            this.in = in;
            this.out = out;
            this.assembler = new MessageAssembler(role, cfg, pmd);
            this.encoder = new MessageEncoder(role, pmd, MaskSource.secureRandom());
        }

        Event next() throws IOException {
            for (;;) {
                Event e = assembler.next(rbuf);
                if (e != null) {
                    return e;
                }
                rbuf.compact();
                int n = in.read(rbuf.array(), rbuf.position(), rbuf.remaining());
                rbuf.position(rbuf.position() + Math.max(n, 0)).flip();
                if (n < 0) {
                    return null;
                }
            }
        }

        void flushEncoder() throws IOException {
            while (!encoder.encode(wbuf)) {
                flush();
            }
            flush();
        }

        void flush() throws IOException {
            out.write(wbuf.array(), 0, wbuf.position());
            out.flush();
            wbuf.clear();
        }
    }

    @ParameterizedTest(name = "contextTakeover={0} streaming={1}")
    @CsvSource({"false,false", "true,false", "false,true", "true,true"})
    void pythonClientAgainstEngineServer(boolean takeover, boolean streaming) throws Exception {
        DeflateConfig cfg = DeflateConfig.DEFAULT.withContextTakeover(takeover).withPeerContextTakeover(takeover);
        assumeTrue(Python.hasWebsockets(), "python3-websockets not installed");
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process client = Python.command(script("py_client.py"), "ws://127.0.0.1:" + ss.getLocalPort() + "/echo")
                    .redirectErrorStream(true).start();
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return e.toString();
                }
            });
            List<Event> seen = new ArrayList<>();
            try (Socket s = ss.accept()) {
                s.setSoTimeout(30_000);
                InputStream in = new BufferedInputStream(s.getInputStream());
                HttpHeaders h = new HttpHeaders();
                String[] line = readHead(in, h).split(" ");
                var result = new ServerHandshake(List.of("chat"), cfg).handshake(line[0], line[2], h);
                assertThat(result).isInstanceOf(ServerHandshake.Accept.class);
                var accept = (ServerHandshake.Accept) result;
                assertThat(accept.deflate()).as("python offers permessage-deflate").isNotNull();
                s.getOutputStream().write(ServerHandshake.responseBytes(accept));
                assertThat(accept.deflate().serverNoContextTakeover()).isEqualTo(!takeover);
                PerMessageDeflate pmd = PerMessageDeflate.of(Role.SERVER, accept.deflate(), cfg);
                assertThat(pmd.outboundContextTakeover()).isEqualTo(takeover);
                // streaming: frames over 1 KiB arrive in pieces; python's 200 KB frames exceed maxFrameSize
                Peer peer = streaming
                        ? new Peer(in, s.getOutputStream(), Role.SERVER, pmd, EngineConfig.defaults().withMaxFrameSize(4096).withStreamChunkSize(1024))
                        : new Peer(in, s.getOutputStream(), Role.SERVER, pmd);
                peer.assembler.setStreaming(streaming);
                java.io.ByteArrayOutputStream streamed = new java.io.ByteArrayOutputStream();
                boolean streamedText = false;
                for (Event e; (e = peer.next()) != null; ) {
                    if (e instanceof Event.StreamStart st) {
                        streamed.reset();
                        streamedText = st.text();
                        continue;
                    }
                    if (e instanceof Event.StreamData d) {
                        assertThat(d.data().length).isLessThanOrEqualTo(1024);
                        streamed.writeBytes(d.data());
                        continue;
                    }
                    if (e instanceof Event.StreamEnd) {
                        byte[] m = streamed.toByteArray();
                        e = streamedText ? new Event.Text(new String(m, StandardCharsets.UTF_8)) : new Event.Binary(m);
                    }
                    seen.add(e);
                    switch (e) {
                        case Event.Text t -> peer.encoder.startText(t.text());
                        case Event.Binary b -> peer.encoder.startBinary(b.data(), 0, b.data().length);
                        case Event.Ping p -> peer.encoder.encodePong(peer.wbuf, p.payload());
                        case Event.Close c -> peer.encoder.encodeClose(peer.wbuf, c.code(), c.reason());
                        default -> throw new AssertionError(e);
                    }
                    peer.flushEncoder();
                    if (e instanceof Event.Close) {
                        break;
                    }
                }
                pmd.close();
            }
            assertThat(client.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String log = output.get(10, TimeUnit.SECONDS);
            assertThat(client.exitValue()).as(log).isZero();
            assertThat(log).contains("EXTENSIONS ['PerMessageDeflate']", "CLOSED 4000 bye");
            assertThat(seen).contains(new Event.Close(4000, "bye"), new Event.Text("fragmented €"));
        }
    }

    @ParameterizedTest(name = "contextTakeover={0}")
    @ValueSource(booleans = {false, true})
    void engineClientAgainstPythonServer(boolean takeover) throws Exception {
        DeflateConfig cfg = DeflateConfig.DEFAULT.withContextTakeover(takeover).withPeerContextTakeover(takeover);
        assumeTrue(Python.hasWebsockets(), "python3-websockets not installed");
        Process server = Python.command(script("py_server.py")).redirectErrorStream(true).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            int port = Integer.parseInt(r.readLine().strip());
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(30_000);
                ClientHandshake hs = new ClientHandshake("127.0.0.1:" + port, "/", List.of("chat"), cfg, null);
                s.getOutputStream().write(hs.requestBytes());
                InputStream in = new BufferedInputStream(s.getInputStream());
                HttpHeaders h = new HttpHeaders();
                String status = readHead(in, h);
                ClientHandshake.Accepted acc = hs.validate(Integer.parseInt(status.split(" ")[1]), h);
                assertThat(acc.subprotocol()).isEqualTo("chat");
                // websockets answers server_max_window_bits=12 of its own accord; our 15-bit Inflater reads it
                assertThat(acc.deflate().serverNoContextTakeover()).isEqualTo(!takeover);
                assertThat(acc.deflate().clientNoContextTakeover()).isEqualTo(!takeover);
                PerMessageDeflate pmd = PerMessageDeflate.of(Role.CLIENT, acc.deflate(), cfg);
                assertThat(pmd.inboundContextTakeover()).isEqualTo(takeover);
                Peer peer = new Peer(in, s.getOutputStream(), Role.CLIENT, pmd);
                Random rnd = new Random(9);
                byte[] big = new byte[300_000];
                rnd.nextBytes(big);
                List<Object> msgs = List.of("", "Hello", "é€😀".repeat(5000), big, "abc".repeat(100_000));
                for (Object m : msgs) {
                    if (m instanceof String t) {
                        peer.encoder.startText(t);
                    } else {
                        peer.encoder.startBinary((byte[]) m, 0, ((byte[]) m).length);
                    }
                    peer.flushEncoder();
                    Event e = peer.next();
                    if (m instanceof String t) {
                        assertThat(e).isEqualTo(new Event.Text(t));
                    } else {
                        assertThat(e).isEqualTo(new Event.Binary((byte[]) m));
                    }
                }
                // a fragmented message, compressed fragment by fragment
                byte[] euro = "frag€".getBytes(StandardCharsets.UTF_8);
                peer.encoder.startFragment(true, euro, 0, 5, false);
                peer.flushEncoder();
                peer.encoder.startFragment(true, euro, 5, euro.length - 5, true);
                peer.flushEncoder();
                assertThat(peer.next()).isEqualTo(new Event.Text("frag€"));
                peer.encoder.encodePing(peer.wbuf, "p".getBytes(StandardCharsets.UTF_8));
                peer.flush();
                assertThat(peer.next()).isEqualTo(new Event.Pong("p".getBytes(StandardCharsets.UTF_8)));
                peer.encoder.encodeClose(peer.wbuf, 1000, "done");
                peer.flush();
                assertThat(peer.next()).isEqualTo(new Event.Close(1000, "done"));
                pmd.close();
            }
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
