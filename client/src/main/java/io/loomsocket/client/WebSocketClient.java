package io.loomsocket.client;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketConfig;
import io.loomsocket.WebSocketException;
import io.loomsocket.WebSocketTimeoutException;
import io.loomsocket.connection.Transport;
import io.loomsocket.connection.WebSocketConnection;
import io.loomsocket.engine.ClientHandshake;
import io.loomsocket.engine.HandshakeException;
import io.loomsocket.engine.HttpHead;
import io.loomsocket.engine.HttpHeaders;
import io.loomsocket.engine.Role;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A blocking WebSocket client (RFC 6455 §4.1) for {@code ws://} and {@code wss://} URIs; the
 * connections it opens have the same {@link WebSocket} API as server views.
 *
 * <pre>{@code
 * try (WebSocket ws = WebSocketClient.connect("ws://127.0.0.1:8000/echo")) {
 *     ws.send("hello");
 *     System.out.println(ws.receive().orElseThrow().text());
 * }
 *
 * WebSocketClient client = WebSocketClient.builder()
 *         .subprotocols("chat.v2", "chat.v1")
 *         .header("Authorization", "Bearer ...")
 *         .connectTimeout(Duration.ofSeconds(3))
 *         .config(WebSocketConfig.builder().maxMessageSize(4 << 20).build())
 *         .build();
 * WebSocket ws = client.connect(URI.create("wss://example.com/chat"));
 * }</pre>
 *
 * <p>{@code wss://} uses the JDK's TLS ({@link SSLSocket}) with SNI and HTTPS hostname
 * verification, through {@link SSLContext#getDefault()} unless another context is given.
 * Compression (permessage-deflate, RFC 7692) is offered when the config enables it (the default).
 *
 * <p>Immutable and thread-safe: one client can open any number of connections. They run on the
 * shared {@link io.loomsocket.connection.ConnectionRuntime} (one timer and one flusher thread for
 * the process, started with the first connection), so a client has nothing to close.
 */
public final class WebSocketClient {
    private final List<String> subprotocols;
    private final HttpHeaders headers;
    private final Duration connectTimeout;
    private final Duration handshakeTimeout;
    private final WebSocketConfig config;
    private final SSLContext sslContext;

    private WebSocketClient(Builder b) {
        this.subprotocols = List.copyOf(b.subprotocols);
        this.headers = new HttpHeaders(b.headers);
        this.connectTimeout = b.connectTimeout;
        this.handshakeTimeout = b.handshakeTimeout;
        this.config = b.compression == null ? b.config : b.config.toBuilder().compression(b.compression).build();
        this.sslContext = b.sslContext;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Connects to {@code uri} with default options (see {@link #connect(URI)} for the exceptions). */
    public static WebSocket connect(String uri) {
        return builder().build().connect(parse(uri));
    }

    /**
     * Opens a connection: TCP (and TLS for {@code wss}), then the opening handshake.
     *
     * @throws IllegalArgumentException       if the URI is not an absolute ws:// or wss:// URI with a host
     * @throws WebSocketHandshakeException   if the server refused or answered incorrectly (with its HTTP status)
     * @throws WebSocketTimeoutException     if connecting or the handshake took longer than its timeout
     * @throws WebSocketException            if the connection failed (the IOException is the cause)
     */
    public WebSocket connect(URI uri) {
        Target t = Target.of(uri);
        Socket socket = null;
        try {
            socket = new Socket();
            socket.setTcpNoDelay(true); // we coalesce writes ourselves (see Outbound)
            try {
                socket.connect(new InetSocketAddress(t.host, t.port), millis(connectTimeout));
            } catch (SocketTimeoutException e) {
                throw new WebSocketTimeoutException("connecting to " + t.host + ":" + t.port + " took over " + connectTimeout);
            }
            socket.setSoTimeout(millis(handshakeTimeout));
            if (t.secure) socket = startTls(socket, t);
            ClientHandshake hs = new ClientHandshake(t.hostHeader, t.target, subprotocols,
                    WebSocketConnection.deflateConfig(config), headers);
            OutputStream out = socket.getOutputStream();
            out.write(hs.requestBytes());
            out.flush();
            HttpHead head = HttpHead.read(socket.getInputStream());
            HttpHead.StatusLine statusLine = head.statusLine();
            int status = statusLine.status();
            ClientHandshake.Accepted accepted;
            try {
                accepted = hs.validate(status, head.headers());
            } catch (HandshakeException e) {
                String message = status != 101
                        ? shown(uri) + ": server refused the WebSocket upgrade: HTTP " + status
                          + (statusLine.reason().isEmpty() ? "" : " " + statusLine.reason())
                        : shown(uri) + ": invalid handshake response: " + e.getMessage();
                throw new WebSocketHandshakeException(status, message);
            }
            socket.setSoTimeout(0);
            Socket connected = socket;
            socket = null; // owned by the connection from here on
            return WebSocketConnection.open(Transport.of(connected), head.leftover(), Role.CLIENT,
                    accepted.subprotocol(), accepted.deflate(), config);
        } catch (SocketTimeoutException e) {
            throw new WebSocketTimeoutException(shown(uri) + ": no handshake response within " + handshakeTimeout);
        } catch (IOException e) {
            throw new WebSocketException(shown(uri) + ": " + e.getMessage(), e);
        } finally {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // failing anyway
                }
            }
        }
    }

    private Socket startTls(Socket plain, Target t) throws IOException {
        SSLContext ctx;
        try {
            ctx = sslContext != null ? sslContext : SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IOException("no default TLS context", e);
        }
        SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(plain, t.host, t.port, true);
        SSLParameters params = tls.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS"); // check the certificate names the host (RFC 2818)
        if (!isIpLiteral(t.host)) {
            params.setServerNames(List.of(new SNIHostName(t.host))); // SNI (RFC 6066 §3)
        }
        params.setApplicationProtocols(new String[] {"http/1.1"});
        tls.setSSLParameters(params);
        tls.startHandshake();
        return tls;
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    /**
     * {@code uri} as errors print it: scheme, host, port and path, without user-info or query,
     * where passwords and tokens travel ({@code wss://host/chat?token=...}).
     */
    static String shown(URI uri) {
        String host = uri.getHost() == null ? "?" : uri.getHost();
        return uri.getScheme() + "://" + host + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + (uri.getRawPath() == null ? "" : uri.getRawPath()) + (uri.getRawQuery() == null ? "" : "?...");
    }

    private static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }

    private static URI parse(String uri) {
        try {
            return new URI(uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URI: " + uri, e);
        }
    }

    /** Where to connect, from a ws:// or wss:// URI (RFC 6455 §3). */
    private record Target(boolean secure, String host, int port, String hostHeader, String target) {
        static Target of(URI uri) {
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            boolean secure = switch (scheme) {
                case "ws" -> false;
                case "wss" -> true;
                default -> throw new IllegalArgumentException("not a ws:// or wss:// URI: " + shown(uri));
            };
            if (uri.getRawFragment() != null) {
                throw new IllegalArgumentException("a WebSocket URI has no fragment (RFC 6455 §3): " + shown(uri));
            }
            String host = uri.getHost();
            if (host == null || host.isEmpty()) throw new IllegalArgumentException("no host in " + shown(uri));
            int defaultPort = secure ? 443 : 80;
            int port = uri.getPort() < 0 ? defaultPort : uri.getPort();
            String bareHost = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            String hostHeader = port == defaultPort ? host : host + ":" + port;
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
            return new Target(secure, bareHost, port, hostHeader, target);
        }
    }

    /** Options of a {@link WebSocketClient}. */
    public static final class Builder {
        private final List<String> subprotocols = new ArrayList<>();
        private final HttpHeaders headers = new HttpHeaders();
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private WebSocketConfig config = WebSocketConfig.defaults();
        private Boolean compression;
        private SSLContext sslContext;

        private Builder() {}

        /** Subprotocols to offer, in preference order (RFC 6455 §1.9); the server picks at most one. */
        public Builder subprotocols(String... protocols) {
            subprotocols.clear();
            subprotocols.addAll(List.of(protocols));
            return this;
        }

        /** An extra request header (e.g. Origin, Authorization, Cookie); the handshake's own headers are refused. */
        public Builder header(String name, String value) {
            headers.add(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Time limit for the TCP connect, default 10 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** Time limit for TLS and the HTTP upgrade, default 10 s. */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = positive(timeout, "handshakeTimeout");
            return this;
        }

        /** Limits and timers of the connections (default {@link WebSocketConfig#defaults()}). */
        public Builder config(WebSocketConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** Offer permessage-deflate or not; overrides the config's {@code compression}. */
        public Builder compression(boolean on) {
            this.compression = on;
            return this;
        }

        /** TLS context for wss:// (custom trust store, client certificates); default {@link SSLContext#getDefault()}. */
        public Builder sslContext(SSLContext context) {
            this.sslContext = Objects.requireNonNull(context, "context");
            return this;
        }

        public WebSocketClient build() {
            new ClientHandshake("check", "/", subprotocols, null, headers); // validates tokens and headers now
            return new WebSocketClient(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive");
            return d;
        }
    }
}
