package io.loomsocket.web;

import io.loomsocket.WebSocketConfig;
import io.loomsocket.server.ServerOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Every setting of a loomsocket application, immutable. Values come, each overriding the one
 * before, from the defaults, a properties file, environment variables with Django-style names
 * ({@code websocket.accept_all} is {@code WEBSOCKET_ACCEPT_ALL}, {@code port} is {@code PORT}),
 * and the builder in code. An unknown key in a file or in code, or a malformed value anywhere,
 * is a {@link SettingsException} at start-up. Environment variables that name no setting are
 * ignored (the environment holds much else).
 *
 * <pre>{@code
 * Settings s = Settings.builder().propertiesFile(Path.of("app.properties")).set("port", 0).build();
 * }</pre>
 */
public final class Settings {

    /** One setting: its key, type, default and what it does. */
    public record Definition(String key, String type, String defaultText, String description) {
        /** The environment variable that sets it. */
        public String envName() {
            return Settings.envName(key);
        }
    }

    private record Def(String key, SettingType type, Object defaultValue, String description) {}

    private static final Map<String, Def> DEFS = new LinkedHashMap<>();

    private static void def(String key, SettingType type, Object defaultValue, String description) {
        DEFS.put(key, new Def(key, type, defaultValue, description));
    }

    static {
        def("host", SettingType.STRING, ServerOptions.DEFAULT_HOST, "address to listen on; 0.0.0.0 for every interface");
        def("port", SettingType.PORT, ServerOptions.DEFAULT_PORT, "TCP port; 0 picks a free one");
        def("allowed_hosts", SettingType.STRING, "localhost,127.0.0.1,[::1]",
                "host names served (Django's ALLOWED_HOSTS): example.com, .example.com with subdomains, or *; another Host gets 400 (set it when listening on 0.0.0.0)");
        def("http.max_header_size", SettingType.SIZE, (long) ServerOptions.DEFAULT_MAX_HEADER_SIZE,
                "request line + headers; larger gets 431 (414 if the request line alone is too long)");
        def("http.max_header_count", SettingType.INT, ServerOptions.DEFAULT_MAX_HEADER_COUNT, "header fields per request; more gets 431");
        def("http.max_body_size", SettingType.SIZE, ServerOptions.DEFAULT_MAX_BODY_SIZE, "request body bytes; more gets 413 and the connection is closed");
        def("http.header_read_timeout", SettingType.DURATION, ServerOptions.DEFAULT_HEADER_READ_TIMEOUT,
                "time to receive a whole request head; a slower client gets 408 (or is dropped if it sent nothing)");
        def("http.keep_alive_timeout", SettingType.DURATION, ServerOptions.DEFAULT_KEEP_ALIVE_TIMEOUT, "an idle keep-alive connection is closed after this");
        def("http.body_read_timeout", SettingType.DURATION, ServerOptions.DEFAULT_BODY_READ_TIMEOUT, "time to receive a whole request body; a slower client gets 408 and the connection is closed");
        def("http.write_timeout", SettingType.DURATION, ServerOptions.DEFAULT_WRITE_TIMEOUT,
                "a response write blocked this long by a client that does not read closes the connection");
        def("http.max_connections", SettingType.INT, ServerOptions.DEFAULT_MAX_CONNECTIONS,
                "open connections, WebSockets included; beyond it new connections get 503 and are closed");
        def("http.max_connections_per_ip", SettingType.INT, 0,
                "open connections from one client address; beyond it new ones get 503 and are closed; 0 for no limit");
        def("shutdown.grace_period", SettingType.DURATION, ServerOptions.DEFAULT_SHUTDOWN_GRACE,
                "on SIGTERM/stop: how long open requests and WebSockets (closed with 1001) get to finish");
        def("shutdown.drain_delay", SettingType.DURATION, ServerOptions.DEFAULT_DRAIN_DELAY,
                "on SIGTERM/stop: how long the server keeps serving (health.path answering 503) before it stops accepting and closes WebSockets with 1001");
        def("health.path", SettingType.STRING, "",
                "path of a health check for load balancers (e.g. /healthz): 200 while serving, 503 once draining; empty: none");
        def("access_log", SettingType.STRING, "",
                "access log in the Common Log Format: stdout, stderr or a file (appended to); empty or off: none");
        def("access_log.redact", SettingType.STRING, AccessLog.DEFAULT_REDACT,
                "query parameters whose values the access log prints as *** (comma-separated, case-insensitive)");
        def("http.trusted_proxies", SettingType.STRING, "",
                "proxies (IP addresses or CIDR networks, IPv4 and IPv6, comma-separated) whose Forwarded / X-Forwarded-For, -Proto and -Host headers set the client address, scheme and host; from other peers they are ignored");
        def("metrics.enabled", SettingType.BOOLEAN, false,
                "Micrometer metrics with a Prometheus scrape endpoint (needs io.micrometer:micrometer-registry-prometheus)");
        def("metrics.path", SettingType.STRING, "/metrics", "path of the Prometheus scrape endpoint");
        def("metrics.allow_remote", SettingType.BOOLEAN, false, "serve the scrape endpoint to any client; off: loopback clients only, others get 403");
        def("tls.keystore", SettingType.STRING, "", "PKCS12/JKS keystore file; set it to serve HTTPS and WSS");
        def("tls.keystore_password", SettingType.STRING, "", "password of the keystore (and of its key)");
        def("tls.keystore_type", SettingType.STRING, "PKCS12", "keystore type: PKCS12 or JKS");
        def("tls.protocols", SettingType.STRING, String.join(",", ServerOptions.DEFAULT_TLS_PROTOCOLS),
                "TLS versions accepted, comma-separated JSSE names");
        def("tls.cipher_suites", SettingType.STRING, String.join(",", ServerOptions.DEFAULT_TLS_CIPHER_SUITES),
                "TLS cipher suites accepted, comma-separated JSSE names in order of preference (default: Mozilla intermediate without DHE)");
        def("templates.dir", SettingType.STRING, "classpath:templates", "where render() finds templates: classpath:<prefix> or a folder");
        def("templates.cache", SettingType.BOOLEAN, true, "cache compiled templates (turn off while editing them)");
        def("static.url", SettingType.STRING, "/static/", "URL prefix of static files");
        def("static.dir", SettingType.STRING, "classpath:static", "static files: classpath:<prefix>, a folder, or empty for none");
        def("static.allow_hidden", SettingType.BOOLEAN, false, "serve static files whose path has a segment starting with '.' (.env, .git/); off: 404");
        def("secure_content_type_nosniff", SettingType.BOOLEAN, true, "X-Content-Type-Options: nosniff on every response");
        def("x_frame_options", SettingType.STRING, "DENY", "X-Frame-Options on every response: DENY, SAMEORIGIN, or empty for none");
        def("secure_referrer_policy", SettingType.STRING, "same-origin", "Referrer-Policy on every response; empty for none");
        def("websocket.accept_all", SettingType.BOOLEAN, false,
                "let every view take WebSocket requests (dwebsocket's WEBSOCKET_ACCEPT_ALL); off: a WebSocket request to a plain view gets 400");
        def("websocket.allowed_origins", SettingType.STRING, "",
                "browser origins allowed besides the request's own host: https://a.example, https://*.example.com, or * for any; others get 403 (clients sending no Origin are always allowed)");
        def("channel_layer", SettingType.STRING, "memory",
                "channel layer: memory, or redis://host:port/db to join servers through Redis (see loomsocket-channels)");
        // read by the application when it builds its channel layer (the demo: ChatViews.layerFrom);
        // the same default as loomsocket-channels' ChannelLayerSettings.DEFAULT_OUTBOX_MAX_BYTES
        def("channels.outbox_max_bytes", SettingType.SIZE, 1L << 20,
                "bytes of messages queued for one slow member of the channel layer; beyond it the overflow policy applies (default: drop the oldest)");
        def("json.max_nesting_depth", SettingType.INT, 64,
                "deepest nesting of arrays and objects read (request.json, JsonWebSocket) or written; deeper is refused as it is read (400 / close 1007)");
        def("json.max_string_length", SettingType.INT, 1 << 20, "longest JSON string (characters) read; longer is refused as it is read (400 / close 1007)");
        def("json.max_number_length", SettingType.INT, 1000, "longest JSON number (characters) read; longer is refused before it is converted (400 / close 1007)");
        def("json.max_document_length", SettingType.SIZE, 1L << 20, "largest JSON document read; larger is refused as it is read (400 / close 1007)");
        def("debug", SettingType.BOOLEAN, false,
                "development mode: with no secret_key, a random one is made at start (logins end with the process); never on in production");
        def("secret_key", SettingType.STRING, "",
                "signs session cookies (HMAC-SHA256), at least 32 characters; without it SessionMiddleware refuses to start unless debug is on");
        def("session.cookie_age", SettingType.DURATION, Duration.ofDays(14),
                "a session lasts this long after it was last saved; an older sessionid cookie is refused (Django's SESSION_COOKIE_AGE)");
        def("session.store", SettingType.STRING, "signed_cookies",
                "where sessions live: signed_cookies (in the cookie itself), or redis://host:port/db (needs loomsocket-channels) so servers share logins and logout revokes everywhere");
        def("session.check_interval", SettingType.DURATION, Duration.ofSeconds(60),
                "how often the sessions of logged-in WebSockets are checked; one that expired or was revoked elsewhere is closed with 1008");
        def("login_url", SettingType.STRING, "/login/", "where loginRequired sends anonymous HTTP requests (302 with ?next=)");
        WebSocketConfig ws = WebSocketConfig.defaults();
        def("websocket.max_message_size", SettingType.SIZE, (long) ws.maxMessageSize(), "largest message received; larger closes with 1009");
        def("websocket.max_frame_size", SettingType.SIZE, (long) ws.maxFrameSize(), "largest frame received; larger closes with 1009");
        def("websocket.max_fragments_per_message", SettingType.INT, ws.maxFragmentsPerMessage(),
                "frames one received message may come in; more closes with 1009");
        def("websocket.max_queue", SettingType.INT, ws.maxQueue(), "received messages queued for the view; a full queue stops reading from the socket");
        def("websocket.max_queue_bytes", SettingType.SIZE, ws.maxQueueBytes(),
                "bytes of received messages queued for the view; reaching it stops reading from the socket");
        def("websocket.write_buffer_size", SettingType.SIZE, (long) ws.writeBufferSize(), "bytes buffered for coalesced writes");
        def("websocket.read_buffer_size", SettingType.SIZE, (long) ws.readBufferSize(), "socket read buffer per connection");
        def("websocket.write_timeout", SettingType.DURATION, ws.writeTimeout(), "a send blocked this long by a peer that does not read closes the connection");
        def("websocket.close_timeout", SettingType.DURATION, ws.closeTimeout(), "how long close() waits for the peer's close frame");
        def("websocket.ping_interval", SettingType.DURATION, ws.pingInterval(), "keepalive ping period; 0 turns pings off");
        def("websocket.ping_timeout", SettingType.DURATION, ws.pingTimeout(), "a connection whose pong is this late is dropped");
        def("websocket.compression", SettingType.BOOLEAN, ws.compression(), "offer permessage-deflate (RFC 7692)");
        def("websocket.compression_threshold", SettingType.SIZE, (long) ws.compressionThreshold(), "messages smaller than this are sent uncompressed");
        def("websocket.compression_context_takeover", SettingType.BOOLEAN, ws.compressionContextTakeover(),
                "keep our deflate window between messages (chat-like messages ~45 % smaller; 2^compression_window_bits bytes per connection)");
        def("websocket.compression_client_context_takeover", SettingType.BOOLEAN, ws.compressionClientContextTakeover(),
                "let clients keep their deflate window (less client CPU, smaller messages; 2^compression_client_window_bits bytes per connection)");
        def("websocket.compression_window_bits", SettingType.INT, ws.compressionWindowBits(),
                "largest deflate window we compress with, 8-15 (2^bits bytes kept per connection with context takeover)");
        def("websocket.compression_client_window_bits", SettingType.INT, ws.compressionPeerWindowBits(),
                "largest deflate window a client may keep its context in, 9-15 (client_max_window_bits)");
        def("websocket.compression_level", SettingType.INT, ws.compressionLevel(),
                "zlib level 0-9 of outgoing messages; 1 is fast, 6 is zlib's default (12-25 % smaller, 3-6x the CPU)");
    }

    private final Map<String, Object> values;

    private Settings(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /** Every default, nothing from a file or the environment. */
    public static Settings defaults() {
        return builder().environment(Map.of()).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every setting with its type, default and description, in documentation order. */
    public static List<Definition> definitions() {
        return DEFS.values().stream()
                .map(d -> new Definition(d.key(), d.type().name().toLowerCase(Locale.ROOT), displayDefault(d), d.description()))
                .toList();
    }

    private static String displayDefault(Def d) {
        String s = d.type().format(d.defaultValue());
        return s.isEmpty() ? "(none)" : s;
    }

    /**
     * Django-style: the key upper-cased, '.' as '_' ({@code websocket.accept_all} is
     * {@code WEBSOCKET_ACCEPT_ALL}). One exception: {@code host} is {@code LISTEN_HOST}, because
     * zsh and tcsh export {@code HOST} as the machine's name, which would move the listen address.
     */
    static String envName(String key) {
        if (key.equals("host")) return "LISTEN_HOST";
        return key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    // ---- typed access ----

    /** The value of {@code key}: String, Boolean, Integer, Long (sizes) or Duration. */
    public Object get(String key) {
        if (!DEFS.containsKey(key)) throw new SettingsException("unknown setting '" + key + "'" + suggest(key));
        return values.get(key);
    }

    public String string(String key) { return (String) get(key); }
    public boolean bool(String key) { return (Boolean) get(key); }
    public Duration duration(String key) { return (Duration) get(key); }
    public long size(String key) { return (Long) get(key); }
    public int integer(String key) { return (Integer) get(key); }

    public int port() { return integer("port"); }
    public String host() { return string("host"); }
    public boolean webSocketAcceptAll() { return bool("websocket.accept_all"); }

    /** The HTTP server's options (loads the TLS keystore if one is set). */
    public ServerOptions serverOptions() {
        try {
            return ServerOptions.builder()
                    .host(host()).port(port())
                    .maxHeaderSize(intSize("http.max_header_size"))
                    .maxHeaderCount(integer("http.max_header_count"))
                    .maxBodySize(size("http.max_body_size"))
                    .headerReadTimeout(duration("http.header_read_timeout"))
                    .keepAliveTimeout(duration("http.keep_alive_timeout"))
                    .bodyReadTimeout(duration("http.body_read_timeout"))
                    .writeTimeout(duration("http.write_timeout"))
                    .maxConnections(integer("http.max_connections"))
                    .maxConnectionsPerIp(integer("http.max_connections_per_ip"))
                    .shutdownGrace(duration("shutdown.grace_period"))
                    .drainDelay(duration("shutdown.drain_delay"))
                    .sslContext(sslContext())
                    .tlsProtocols(list("tls.protocols"))
                    .tlsCipherSuites(list("tls.cipher_suites"))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new SettingsException("invalid server setting: " + e.getMessage(), e);
        }
    }

    /** The WebSocket limits and options for core's connections. */
    public WebSocketConfig webSocketConfig() {
        try {
            return WebSocketConfig.builder()
                    .maxMessageSize(intSize("websocket.max_message_size"))
                    .maxFrameSize(intSize("websocket.max_frame_size"))
                    .maxFragmentsPerMessage(integer("websocket.max_fragments_per_message"))
                    .maxQueue(integer("websocket.max_queue"))
                    .maxQueueBytes(size("websocket.max_queue_bytes"))
                    .writeBufferSize(intSize("websocket.write_buffer_size"))
                    .readBufferSize(intSize("websocket.read_buffer_size"))
                    .writeTimeout(duration("websocket.write_timeout"))
                    .closeTimeout(duration("websocket.close_timeout"))
                    .pingInterval(duration("websocket.ping_interval"))
                    .pingTimeout(duration("websocket.ping_timeout"))
                    .compression(bool("websocket.compression"))
                    .compressionThreshold(intSize("websocket.compression_threshold"))
                    .compressionContextTakeover(bool("websocket.compression_context_takeover"))
                    .compressionLevel(integer("websocket.compression_level"))
                    .compressionClientContextTakeover(bool("websocket.compression_client_context_takeover"))
                    .compressionWindowBits(integer("websocket.compression_window_bits"))
                    .compressionPeerWindowBits(integer("websocket.compression_client_window_bits"))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new SettingsException("invalid websocket setting: " + e.getMessage(), e);
        }
    }

    /** A comma-separated setting as a list, blanks dropped. */
    private List<String> list(String key) {
        return java.util.Arrays.stream(string(key).split(",")).map(String::strip).filter(v -> !v.isEmpty()).toList();
    }

    private int intSize(String key) {
        long v = size(key);
        if (v > Integer.MAX_VALUE) throw new SettingsException("setting '" + key + "' = " + v + " is larger than 2 GiB");
        return (int) v;
    }

    private SSLContext sslContext() {
        String file = string("tls.keystore");
        if (file.isEmpty()) return null;
        char[] password = string("tls.keystore_password").toCharArray();
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            KeyStore ks = KeyStore.getInstance(string("tls.keystore_type"));
            ks.load(in, password);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new SettingsException("cannot load tls.keystore '" + file + "': " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>();
        values.forEach((k, v) -> shown.put(k, k.contains("password") || k.equals("secret_key") ? "***" : withoutUserInfo(DEFS.get(k).type().format(v))));
        return "Settings" + shown;
    }

    /**
     * {@code scheme://user:password@host/...} as {@code scheme://***@host/...}: a URL-valued
     * setting (a Redis URL, say) is printed without its user-info (RFC 3986 §3.2.1).
     */
    static String withoutUserInfo(String value) {
        int scheme = value.indexOf("://");
        if (scheme < 0) return value;
        int authorityEnd = value.length();
        for (int i = scheme + 3; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                authorityEnd = i;
                break;
            }
        }
        int at = value.lastIndexOf('@', authorityEnd - 1);
        if (at < scheme + 3) return value;
        return value.substring(0, scheme + 3) + "***" + value.substring(at);
    }

    private static String suggest(String key) {
        String best = null;
        int bestDistance = 4;
        for (String k : DEFS.keySet()) {
            int d = distance(k, key.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best == null ? "" : " (did you mean '" + best + "'?)";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev; prev = cur; cur = t;
        }
        return prev[b.length()];
    }

    /** Collects the layers; {@link #build()} applies them in order: defaults, file, environment, code. */
    public static final class Builder {
        private Properties file;
        private String fileName;
        private Map<String, String> environment = System.getenv();
        private final Map<String, Object> code = new LinkedHashMap<>();

        private Builder() {}

        /** Reads a properties file (UTF-8). A missing or unreadable file is a SettingsException. */
        public Builder propertiesFile(Path path) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException | IllegalArgumentException e) {
                throw new SettingsException("cannot read settings file " + path + ": " + e.getMessage(), e);
            }
            this.file = p;
            this.fileName = path.toString();
            return this;
        }

        /** Properties already loaded (for example from the classpath), named {@code source} in errors. */
        public Builder properties(Properties properties, String source) {
            this.file = properties;
            this.fileName = source;
            return this;
        }

        /** The environment to read (System.getenv() unless replaced; Map.of() reads none). */
        public Builder environment(Map<String, String> env) {
            this.environment = Map.copyOf(env);
            return this;
        }

        /** Sets {@code key} in code: a typed value (Integer, Long, Boolean, Duration, String) or its text form. */
        public Builder set(String key, Object value) {
            if (!DEFS.containsKey(key)) throw new SettingsException("unknown setting '" + key + "' set in code" + suggest(key));
            code.put(key, value);
            return this;
        }

        public Builder port(int port) { return set("port", port); }
        public Builder host(String host) { return set("host", host); }
        public Builder webSocketAcceptAll(boolean on) { return set("websocket.accept_all", on); }

        public Settings build() {
            Map<String, Object> values = new LinkedHashMap<>();
            DEFS.values().forEach(d -> values.put(d.key(), d.defaultValue()));
            if (file != null) {
                TreeSet<String> unknown = new TreeSet<>();
                for (String k : file.stringPropertyNames()) {
                    if (!DEFS.containsKey(k)) unknown.add(k);
                }
                if (!unknown.isEmpty()) {
                    String first = unknown.first();
                    throw new SettingsException("unknown setting" + (unknown.size() > 1 ? "s " : " ") + unknown
                            + " in " + fileName + suggest(first));
                }
                for (String k : file.stringPropertyNames()) {
                    values.put(k, parse(DEFS.get(k), file.getProperty(k), "in " + fileName));
                }
            }
            for (Def d : DEFS.values()) {
                String v = environment.get(envName(d.key()));
                if (v != null) values.put(d.key(), parse(d, v, "from environment variable " + envName(d.key())));
            }
            code.forEach((k, v) -> {
                Def d = DEFS.get(k);
                try {
                    values.put(k, d.type().coerce(v));
                } catch (RuntimeException e) {
                    throw new SettingsException("setting '" + k + "' = '" + withoutUserInfo(String.valueOf(v)) + "' set in code is malformed: expected "
                            + d.type().expected, e);
                }
            });
            Settings s = new Settings(values);
            s.serverOptions(); // fail now, not at start, on values the server or core would reject
            s.webSocketConfig();
            OriginPolicy.parse(s.string("websocket.allowed_origins"));
            AllowedHosts.parse(s.string("allowed_hosts"));
            SecurityHeadersMiddleware.of(s);
            try {
                Json.factory(s);
            } catch (IllegalArgumentException e) {
                throw new SettingsException("invalid json setting: " + e.getMessage(), e);
            }
            TrustedProxies.parse(s.string("http.trusted_proxies"));
            return s;
        }

        private static Object parse(Def d, String text, String source) {
            try {
                return d.type().parse(text);
            } catch (RuntimeException e) {
                throw new SettingsException("setting '" + d.key() + "' = '" + withoutUserInfo(text) + "' " + source
                        + " is malformed: expected " + d.type().expected, e);
            }
        }
    }
}
