package io.loomsocket.engine;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The client side of the opening handshake (RFC 6455 §4.1): builds the upgrade request with a
 * fresh random {@code Sec-WebSocket-Key} and validates the server's response. A response that
 * is not a proper 101, carries the wrong {@code Sec-WebSocket-Accept}, or selects a subprotocol
 * or extension the client did not offer, fails with {@link HandshakeException} (§4.1: "the
 * client MUST Fail the WebSocket Connection").
 *
 * <p>One instance per connection attempt; immutable after construction.
 */
public final class ClientHandshake {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<String> RESERVED = Set.of("host", "upgrade", "connection", "sec-websocket-key",
            "sec-websocket-version", "sec-websocket-protocol", "sec-websocket-extensions", "sec-websocket-accept");

    private final String host;
    private final String target;
    private final List<String> subprotocols;
    private final DeflateConfig deflate;
    private final HttpHeaders extraHeaders;
    private final String key;

    /** The server agreed: the negotiated subprotocol (or null) and permessage-deflate (or null). */
    public record Accepted(String subprotocol, DeflateParams deflate) {
        /** The negotiated extensions as the server sent them ("" when none). */
        public String extensions() {
            return deflate == null ? "" : deflate.toHeaderValue();
        }
    }

    /**
     * @param host          the {@code Host} header value ({@code host[:port]}, port omitted when default)
     * @param target        the request target, e.g. {@code /chat?room=1}
     * @param subprotocols  subprotocols to offer, in preference order (may be empty)
     * @param deflate       permessage-deflate settings ({@link DeflateConfig#DISABLED} to offer none)
     * @param extraHeaders  more request headers, e.g. {@code Origin}, {@code Authorization}; they may
     *                      not replace the handshake's own headers
     */
    public ClientHandshake(String host, String target, List<String> subprotocols, DeflateConfig deflate,
                           HttpHeaders extraHeaders) {
        this(host, target, subprotocols, deflate, extraHeaders, newKey());
    }

    /** As above with a given key (tests; production code should let the constructor draw one). */
    public ClientHandshake(String host, String target, List<String> subprotocols, DeflateConfig deflate,
                           HttpHeaders extraHeaders, String key) {
        if (host == null || host.isBlank() || target == null || !target.startsWith("/")) {
            throw new IllegalArgumentException("need a host and a target starting with '/': " + host + " " + target);
        }
        for (String p : subprotocols) {
            if (p.isEmpty() || p.chars().anyMatch(c -> c <= 0x20 || c >= 0x7F || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0)) {
                throw new IllegalArgumentException("subprotocol is not an HTTP token (RFC 6455 §4.1): \"" + p + "\"");
            }
        }
        HttpHeaders extra = extraHeaders == null ? new HttpHeaders() : new HttpHeaders(extraHeaders);
        for (String n : extra.names()) {
            if (RESERVED.contains(n.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("header " + n + " is set by the handshake itself");
            }
        }
        if (!ServerHandshake.isValidKey(key)) {
            throw new IllegalArgumentException("key must be base64 of 16 bytes");
        }
        this.host = host;
        this.target = target;
        this.subprotocols = List.copyOf(subprotocols);
        this.deflate = deflate == null ? DeflateConfig.DISABLED : deflate;
        this.extraHeaders = extra;
        this.key = key;
    }

    /** A fresh key: base64 of 16 random bytes (RFC 6455 §4.1). */
    public static String newKey() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    public String key() {
        return key;
    }

    /** The accept value the server must answer with. */
    public String expectedAccept() {
        return ServerHandshake.acceptKey(key);
    }

    /** {@code GET target HTTP/1.1}. */
    public String requestLine() {
        return "GET " + target + " HTTP/1.1";
    }

    /** The request headers: Host, Upgrade, Connection, key, version, protocols, extensions, then the extras. */
    public HttpHeaders requestHeaders() {
        HttpHeaders h = new HttpHeaders();
        h.add("Host", host);
        h.add("Upgrade", "websocket");
        h.add("Connection", "Upgrade");
        h.add("Sec-WebSocket-Key", key);
        h.add("Sec-WebSocket-Version", ServerHandshake.VERSION);
        if (!subprotocols.isEmpty()) {
            h.add("Sec-WebSocket-Protocol", String.join(", ", subprotocols));
        }
        if (deflate.enabled()) {
            h.add("Sec-WebSocket-Extensions", DeflateParams.clientOffers(deflate).stream()
                    .map(Extension::toString).collect(Collectors.joining(", ")));
        }
        extraHeaders.forEach(h::add);
        return h;
    }

    /** The whole request head (request line, headers, blank line) in bytes. */
    public byte[] requestBytes() {
        return HttpHead.encode(requestLine(), requestHeaders());
    }

    /**
     * Validates the response (RFC 6455 §4.1, RFC 7692 §7.1).
     *
     * @param status  the response status code
     * @param headers the response header fields
     * @throws HandshakeException if the server refused or answered incorrectly
     */
    public Accepted validate(int status, HttpHeaders headers) {
        if (status != 101) {
            throw new HandshakeException(status, "server answered " + status + " instead of 101 Switching Protocols");
        }
        if (!headers.containsToken("Upgrade", "websocket")) {
            throw new HandshakeException(status, "response lacks Upgrade: websocket (RFC 6455 §4.1)");
        }
        if (!headers.containsToken("Connection", "upgrade")) {
            throw new HandshakeException(status, "response lacks Connection: Upgrade (RFC 6455 §4.1)");
        }
        List<String> accept = headers.getAll("Sec-WebSocket-Accept");
        if (accept.size() != 1 || !accept.get(0).strip().equals(expectedAccept())) {
            throw new HandshakeException(status, "wrong Sec-WebSocket-Accept (RFC 6455 §4.1)");
        }
        List<String> protocols = headers.tokens("Sec-WebSocket-Protocol");
        String subprotocol = null;
        if (!protocols.isEmpty()) {
            if (protocols.size() != 1 || !subprotocols.contains(protocols.get(0))) {
                throw new HandshakeException(status, "server selected subprotocol " + protocols
                        + ", which was not offered (RFC 6455 §4.1)");
            }
            subprotocol = protocols.get(0);
        }
        List<Extension> extensions;
        try {
            extensions = Extension.parse(headers.getAll("Sec-WebSocket-Extensions"));
        } catch (IllegalArgumentException e) {
            throw new HandshakeException(status, "malformed Sec-WebSocket-Extensions: " + e.getMessage());
        }
        DeflateParams params = null;
        for (Extension e : extensions) {
            if (!deflate.enabled() || !DeflateParams.isDeflate(e)) {
                throw new HandshakeException(status, "server selected extension " + e.name()
                        + ", which was not offered (RFC 6455 §9.1)");
            }
            if (params != null) {
                throw new HandshakeException(status, "server selected permessage-deflate twice (RFC 7692 §7)");
            }
            params = DeflateParams.acceptResponse(e);
        }
        return new Accepted(subprotocol, params);
    }
}
