package io.loomsocket.server;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The embedded server's address and limits, immutable. Each limit has a safe default; the web
 * layer's settings ({@code http.*}) map onto these one to one.
 *
 * @param host address to bind ({@code 127.0.0.1} by default; {@code 0.0.0.0} for every interface)
 * @param port TCP port, 0 for any free port
 * @param maxHeaderSize bytes in the request line plus header section; more gets 431 (414 if the
 *     request line alone is too long)
 * @param maxHeaderCount header fields per request (trailers included); more gets 431
 * @param maxBodySize bytes of request body, after de-chunking; more gets 413
 * @param headerReadTimeout time from the first byte of a request (or from accept) to the end of
 *     its header section; a slower client is dropped (408 if it sent anything)
 * @param keepAliveTimeout how long an idle keep-alive connection waits for its next request
 * @param bodyReadTimeout time to receive a whole request body, from the end of its head; a
 *     slower client gets 408 and the connection is closed
 * @param writeTimeout longest a write of response bytes may block on a client that does not
 *     read; then the connection is closed
 * @param maxConnections open connections (HTTP and WebSocket); beyond it new ones get 503 and
 *     are closed at once
 * @param maxConnectionsPerIp open connections from one client address; beyond it new ones from
 *     that address get 503 and are closed at once, like {@code maxConnections}; 0 (the default) for no limit
 * @param shutdownGrace how long {@link HttpServer#stop()} waits for connections to finish
 * @param sslContext TLS for HTTPS/WSS, or null for plain TCP
 * @param tlsProtocols TLS versions accepted, in JSSE names (default TLSv1.3 and TLSv1.2)
 * @param tlsCipherSuites TLS cipher suites accepted, in JSSE names, in the server's order of
 *     preference (default: Mozilla's "intermediate" list without DHE: the TLS 1.3 suites, then
 *     ECDHE with AES-GCM or ChaCha20-Poly1305; no CBC, no SHA-1)
 * @param drainDelay how long {@link HttpServer#stop()} keeps serving as usual, new connections
 *     included, while {@link HttpServer#isDraining()} is already true (a health check answers 503),
 *     before it stops accepting and closes WebSockets; zero for none
 */
public record ServerOptions(String host, int port, int maxHeaderSize, int maxHeaderCount, long maxBodySize,
                            Duration headerReadTimeout, Duration keepAliveTimeout, Duration bodyReadTimeout,
                            Duration writeTimeout, int maxConnections, int maxConnectionsPerIp, Duration shutdownGrace,
                            SSLContext sslContext, List<String> tlsProtocols, List<String> tlsCipherSuites,
                            Duration drainDelay) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8000;
    public static final int DEFAULT_MAX_HEADER_SIZE = 8 * 1024;
    public static final int DEFAULT_MAX_HEADER_COUNT = 100;
    public static final long DEFAULT_MAX_BODY_SIZE = 1024 * 1024;
    public static final Duration DEFAULT_HEADER_READ_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(20);
    public static final Duration DEFAULT_BODY_READ_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
    public static final List<String> DEFAULT_TLS_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    public static final List<String> DEFAULT_TLS_CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    public static final Duration DEFAULT_DRAIN_DELAY = Duration.ZERO;

    public ServerOptions {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535: " + port);
        positive("maxHeaderSize", maxHeaderSize);
        if (maxHeaderSize < 256) throw new IllegalArgumentException("maxHeaderSize must be at least 256: " + maxHeaderSize);
        positive("maxHeaderCount", maxHeaderCount);
        if (maxBodySize < 0) throw new IllegalArgumentException("maxBodySize must be >= 0: " + maxBodySize);
        positive("headerReadTimeout", headerReadTimeout);
        positive("keepAliveTimeout", keepAliveTimeout);
        positive("bodyReadTimeout", bodyReadTimeout);
        positive("writeTimeout", writeTimeout);
        positive("maxConnections", maxConnections);
        if (maxConnectionsPerIp < 0) throw new IllegalArgumentException("maxConnectionsPerIp must be >= 0: " + maxConnectionsPerIp);
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (shutdownGrace.isNegative()) throw new IllegalArgumentException("shutdownGrace must be >= 0");
        tlsProtocols = List.copyOf(tlsProtocols);
        tlsCipherSuites = List.copyOf(tlsCipherSuites);
        if (tlsProtocols.isEmpty()) throw new IllegalArgumentException("tlsProtocols must not be empty");
        if (tlsCipherSuites.isEmpty()) throw new IllegalArgumentException("tlsCipherSuites must not be empty");
        if (sslContext != null) {
            SSLParameters supported = sslContext.getSupportedSSLParameters();
            supportedOnly("TLS protocol", tlsProtocols, supported.getProtocols());
            supportedOnly("TLS cipher suite", tlsCipherSuites, supported.getCipherSuites());
        }
        Objects.requireNonNull(drainDelay, "drainDelay");
        if (drainDelay.isNegative()) throw new IllegalArgumentException("drainDelay must be >= 0");
    }

    public static ServerOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host; b.port = port; b.maxHeaderSize = maxHeaderSize; b.maxHeaderCount = maxHeaderCount;
        b.maxBodySize = maxBodySize; b.headerReadTimeout = headerReadTimeout; b.keepAliveTimeout = keepAliveTimeout;
        b.bodyReadTimeout = bodyReadTimeout; b.writeTimeout = writeTimeout; b.maxConnections = maxConnections;
        b.maxConnectionsPerIp = maxConnectionsPerIp; b.shutdownGrace = shutdownGrace;
        b.sslContext = sslContext;
        b.tlsProtocols = tlsProtocols;
        b.tlsCipherSuites = tlsCipherSuites;
        b.drainDelay = drainDelay;
        return b;
    }

    private static void supportedOnly(String what, List<String> asked, String[] supported) {
        List<String> known = List.of(supported);
        for (String name : asked) {
            if (!known.contains(name)) throw new IllegalArgumentException("unsupported " + what + ": " + name);
        }
    }

    private static void positive(String name, long v) {
        if (v <= 0) throw new IllegalArgumentException(name + " must be > 0: " + v);
    }

    private static void positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) throw new IllegalArgumentException(name + " must be > 0: " + d);
    }

    /** Builder with every field at its default. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private int maxHeaderSize = DEFAULT_MAX_HEADER_SIZE;
        private int maxHeaderCount = DEFAULT_MAX_HEADER_COUNT;
        private long maxBodySize = DEFAULT_MAX_BODY_SIZE;
        private Duration headerReadTimeout = DEFAULT_HEADER_READ_TIMEOUT;
        private Duration keepAliveTimeout = DEFAULT_KEEP_ALIVE_TIMEOUT;
        private Duration bodyReadTimeout = DEFAULT_BODY_READ_TIMEOUT;
        private Duration writeTimeout = DEFAULT_WRITE_TIMEOUT;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxConnectionsPerIp;
        private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
        private SSLContext sslContext;
        private List<String> tlsProtocols = DEFAULT_TLS_PROTOCOLS;
        private List<String> tlsCipherSuites = DEFAULT_TLS_CIPHER_SUITES;
        private Duration drainDelay = DEFAULT_DRAIN_DELAY;

        private Builder() {}

        public Builder host(String v) { host = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder maxHeaderSize(int v) { maxHeaderSize = v; return this; }
        public Builder maxHeaderCount(int v) { maxHeaderCount = v; return this; }
        public Builder maxBodySize(long v) { maxBodySize = v; return this; }
        public Builder headerReadTimeout(Duration v) { headerReadTimeout = v; return this; }
        public Builder keepAliveTimeout(Duration v) { keepAliveTimeout = v; return this; }
        public Builder bodyReadTimeout(Duration v) { bodyReadTimeout = v; return this; }
        public Builder writeTimeout(Duration v) { writeTimeout = v; return this; }
        public Builder maxConnections(int v) { maxConnections = v; return this; }
        public Builder maxConnectionsPerIp(int v) { maxConnectionsPerIp = v; return this; }
        public Builder shutdownGrace(Duration v) { shutdownGrace = v; return this; }
        public Builder sslContext(SSLContext v) { sslContext = v; return this; }
        public Builder tlsProtocols(List<String> v) { tlsProtocols = v; return this; }
        public Builder tlsCipherSuites(List<String> v) { tlsCipherSuites = v; return this; }
        public Builder drainDelay(Duration v) { drainDelay = v; return this; }

        public ServerOptions build() {
            return new ServerOptions(host, port, maxHeaderSize, maxHeaderCount, maxBodySize, headerReadTimeout,
                    keepAliveTimeout, bodyReadTimeout, writeTimeout, maxConnections, maxConnectionsPerIp, shutdownGrace, sslContext,
                    tlsProtocols, tlsCipherSuites, drainDelay);
        }
    }
}
