package io.loomsocket.interop.raw;

import io.loomsocket.engine.HttpHead;
import io.loomsocket.engine.ServerHandshake;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.List;

/**
 * A raw-socket WebSocket server that misbehaves on purpose, to test our client: each accepted
 * connection runs a {@link Script} that writes exactly the bytes it wants (a bad handshake
 * response, masked frames, reserved opcodes, invalid UTF-8, ...) and reads the client's frames.
 * Binds 127.0.0.1 on a free port. Failures inside scripts are kept and rethrown by {@link #close()}.
 */
public final class RawServer implements AutoCloseable {

    public static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    /** What the server does with one connection. */
    @FunctionalInterface
    public interface Script {
        void run(Conn conn) throws Exception;
    }

    private final ServerSocket listener;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private RawServer(Script script) throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.submit(() -> {
            while (!listener.isClosed()) {
                Socket s;
                try {
                    s = listener.accept();
                } catch (IOException e) {
                    return;
                }
                sockets.add(s);
                threads.submit(() -> {
                    try (Conn c = new Conn(s)) {
                        script.run(c);
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                });
            }
        });
    }

    public static RawServer start(Script script) throws IOException {
        return new RawServer(script);
    }

    public int port() { return listener.getLocalPort(); }

    public String url(String path) { return "ws://127.0.0.1:" + port() + path; }

    /** Stops the server; rethrows the first failure of a script, if any. */
    @Override public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) s.close();
        threads.shutdownNow();
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError("raw server script failed: " + failures.getFirst(), failures.getFirst());
            for (int i = 1; i < failures.size(); i++) e.addSuppressed(failures.get(i));
            throw e;
        }
    }

    /** One accepted connection, seen from the misbehaving server. */
    public static final class Conn implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private HttpHead request;

        Conn(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            socket.setTcpNoDelay(true);
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        public HttpHead readRequest() throws IOException {
            request = RawClient.readHead(in);
            return request;
        }

        public HttpHead request() { return request; }

        /** Reads the request and answers a correct 101 with the extra header lines given. */
        public HttpHead accept(String... extraHeaders) throws IOException {
            HttpHead req = readRequest();
            StringBuilder sb = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Accept: ").append(ServerHandshake.acceptKey(req.headers().get("Sec-WebSocket-Key"))).append("\r\n");
            for (String h : extraHeaders) sb.append(h).append("\r\n");
            write(sb.append("\r\n").toString());
            return req;
        }

        public Conn write(String ascii) throws IOException {
            return write(ascii.getBytes(StandardCharsets.ISO_8859_1));
        }

        public Conn write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
            return this;
        }

        /** The next client frame; fails on timeout. */
        public RawFrame next() throws IOException {
            try {
                return RawFrame.read(in);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no frame from the client within " + READ_TIMEOUT, e);
            }
        }

        /** The next client frame, its masking key copied into {@code keyOut}. */
        public RawFrame next(byte[] keyOut) throws IOException {
            try {
                return RawFrame.read(in, keyOut);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no frame from the client within " + READ_TIMEOUT, e);
            }
        }

        /** Reads frames until a close frame (skipping data and pongs) and returns it. */
        public RawFrame nextClose() throws IOException {
            for (int i = 0; i < 1000; i++) {
                RawFrame f = next();
                if (f.opcode() == RawFrame.CLOSE) return f;
            }
            throw new AssertionError("no close frame among 1000 frames");
        }

        /** True if the client closed TCP (read returned end of stream) within the timeout. */
        public boolean awaitEof() throws IOException {
            try {
                byte[] skip = new byte[4096];
                while (in.read(skip) >= 0) { /* drain */ }
                return true;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (java.net.SocketException e) {
                return true;
            }
        }

        public Socket socket() { return socket; }

        @Override public void close() throws IOException { socket.close(); }
    }
}
