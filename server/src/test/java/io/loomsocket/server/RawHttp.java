package io.loomsocket.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A test client that writes raw bytes and parses raw HTTP/1.1 responses, to see exactly what is on the wire. */
public final class RawHttp implements AutoCloseable {
    public final Socket socket;
    private final InputStream in;

    public RawHttp(int port) throws IOException {
        this(port, null);
    }

    /** Connects to 127.0.0.1:{@code port} from {@code localAddress} (another loopback address, e.g. 127.0.0.2), or any when null. */
    public RawHttp(int port, String localAddress) throws IOException {
        socket = new Socket();
        if (localAddress != null) socket.bind(new java.net.InetSocketAddress(localAddress, 0));
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
    }

    public RawHttp send(String raw) throws IOException {
        socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return this;
    }

    public record Response(int status, Map<String, String> headers, byte[] body) {
        public String text() { return new String(body, StandardCharsets.UTF_8); }
        public String header(String name) { return headers.get(name.toLowerCase(Locale.ROOT)); }
    }

    public Response read() throws IOException {
        return read(false);
    }

    /** Reads one response; {@code head} true for a response to HEAD (no body). */
    public Response read(boolean head) throws IOException {
        String status = line();
        if (status == null) throw new IOException("connection closed before a response");
        int code = Integer.parseInt(status.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(); l != null && !l.isEmpty(); l = line()) {
            int c = l.indexOf(':');
            headers.merge(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim(), (a, b) -> a + ", " + b);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (head || code == 204 || code == 304 || code == 101 || code == 100) return new Response(code, headers, body.toByteArray());
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            while (true) {
                int size = Integer.parseInt(line().split(";")[0], 16);
                if (size == 0) {
                    while (!line().isEmpty()) { }
                    break;
                }
                body.write(in.readNBytes(size));
                line();
            }
        } else if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else {
            body.write(in.readAllBytes());
        }
        return new Response(code, headers, body.toByteArray());
    }

    public String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                if (!sb.isEmpty() && sb.charAt(sb.length() - 1) == '\r') sb.setLength(sb.length() - 1);
                return sb.toString();
            }
            sb.append((char) b);
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    /** True if the server closed the connection (EOF or reset) within the socket timeout. */
    public boolean closedByServer() {
        try {
            return in.read() == -1;
        } catch (IOException e) {
            return !(e instanceof java.net.SocketTimeoutException);
        }
    }

    public byte[] readRest() throws IOException {
        return in.readAllBytes();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    public static Response exchange(int port, String raw) throws IOException {
        try (RawHttp c = new RawHttp(port)) {
            return c.send(raw).read(raw.startsWith("HEAD "));
        }
    }
}
