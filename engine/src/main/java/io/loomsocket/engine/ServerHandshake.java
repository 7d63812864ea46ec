package io.loomsocket.engine;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

/**
 * The server side of the opening handshake (RFC 6455 §4.2): validates an upgrade request and
 * builds the 101 response headers, or says which error status to answer with. It never throws on
 * bad input: every malformed request yields a {@link Reject} with status 400, or 426 with
 * {@code Sec-WebSocket-Version: 13} for a missing or other version (§4.4).
 *
 * <p>Checks, in order (§4.2.1): method {@code GET}; version {@code HTTP/1.1}; exactly one
 * {@code Host}; {@code Upgrade} containing the token {@code websocket} and {@code Connection}
 * containing {@code upgrade} (case-insensitive token lists); {@code Sec-WebSocket-Version: 13};
 * exactly one {@code Sec-WebSocket-Key} that is base64 of 16 bytes; a well-formed
 * {@code Sec-WebSocket-Extensions}, if any.
 *
 * <p>Subprotocol (§4.2.2 /subprotocol/): the first protocol, in the client's order, that the server
 * supports; none when there is no overlap, and never one the client did not offer. Extensions:
 * permessage-deflate per {@link PerMessageDeflate}.
 *
 * <p>Immutable and thread-safe: one instance can serve every request of a route.
 */
public final class ServerHandshake {

    /** The GUID of RFC 6455 §1.3 concatenated to the key before hashing. */
    public static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    /** The only protocol version this engine speaks (RFC 6455 §4.1). */
    public static final String VERSION = "13";

    private final List<String> subprotocols;
    private final DeflateConfig deflate;

    /** The outcome: {@link Accept} (answer 101) or {@link Reject} (answer the status). */
    public sealed interface Result permits Accept, Reject {}

    /**
     * Switch protocols: answer {@code HTTP/1.1 101 Switching Protocols} with {@code responseHeaders}.
     *
     * @param responseHeaders {@code Upgrade}, {@code Connection}, {@code Sec-WebSocket-Accept} and, when
     *                        negotiated, {@code Sec-WebSocket-Protocol} and {@code Sec-WebSocket-Extensions}
     * @param subprotocol     the chosen subprotocol, or null
     * @param deflate         negotiated permessage-deflate parameters, or null (then build no {@link PerMessageDeflate})
     */
    public record Accept(HttpHeaders responseHeaders, String subprotocol, DeflateParams deflate) implements Result {
        /** The negotiated extensions as sent in the response ("" when none). */
        public String extensions() {
            return deflate == null ? "" : deflate.toHeaderValue();
        }
    }

    /**
     * Refuse: answer {@code status} (400 or 426) with {@code responseHeaders} and a body saying {@code reason}.
     *
     * @param responseHeaders {@code Sec-WebSocket-Version: 13} for 426, otherwise empty
     */
    public record Reject(int status, String reason, HttpHeaders responseHeaders) implements Result {}

    /**
     * @param subprotocols the subprotocols the view speaks, in no particular order (the client's order decides)
     * @param deflate      permessage-deflate settings ({@link DeflateConfig#DISABLED} to decline every offer)
     */
    public ServerHandshake(List<String> subprotocols, DeflateConfig deflate) {
        this.subprotocols = List.copyOf(subprotocols);
        if (deflate == null) {
            throw new NullPointerException("deflate");
        }
        this.deflate = deflate;
    }

    /** A server with no subprotocols and {@link DeflateConfig#DEFAULT}. */
    public ServerHandshake() {
        this(List.of(), DeflateConfig.DEFAULT);
    }

    public List<String> subprotocols() {
        return subprotocols;
    }

    /**
     * True if the request asks for a WebSocket upgrade at all ({@code Upgrade} has the token
     * {@code websocket}); such a request is then validated by {@link #handshake}. Useful to route
     * plain HTTP and WebSocket requests apart (dwebsocket's {@code is_websocket()}).
     */
    public static boolean isUpgradeRequest(HttpHeaders headers) {
        return headers.containsToken("Upgrade", "websocket");
    }

    /**
     * Validates a request and negotiates subprotocol and extensions.
     *
     * @param method      request method, e.g. {@code GET}
     * @param httpVersion protocol version from the request line, e.g. {@code HTTP/1.1}
     * @param headers     request header fields
     */
    public Result handshake(String method, String httpVersion, HttpHeaders headers) {
        if (!"GET".equals(method)) {
            return reject("the WebSocket handshake must use GET, not " + printable(method) + " (RFC 6455 §4.1)");
        }
        if (!"HTTP/1.1".equals(httpVersion)) {
            return reject("the WebSocket handshake needs HTTP/1.1, not " + printable(httpVersion) + " (RFC 6455 §4.1)");
        }
        if (headers.count("Host") != 1 || headers.get("Host").isBlank()) {
            return reject("exactly one non-empty Host header is required (RFC 6455 §4.2.1)");
        }
        if (!headers.containsToken("Upgrade", "websocket")) {
            return reject("Upgrade: websocket is required (RFC 6455 §4.2.1)");
        }
        if (!headers.containsToken("Connection", "upgrade")) {
            return reject("Connection: Upgrade is required (RFC 6455 §4.2.1)");
        }
        if (headers.count("Sec-WebSocket-Version") != 1 || !VERSION.equals(headers.get("Sec-WebSocket-Version").strip())) {
            return new Reject(426, "Sec-WebSocket-Version 13 is required (RFC 6455 §4.4)",
                    HttpHeaders.of("Sec-WebSocket-Version", VERSION));
        }
        if (headers.count("Sec-WebSocket-Key") != 1) {
            return reject("exactly one Sec-WebSocket-Key header is required (RFC 6455 §4.2.1)");
        }
        String key = headers.get("Sec-WebSocket-Key").strip();
        if (!isValidKey(key)) {
            return reject("Sec-WebSocket-Key must be base64 of 16 bytes (RFC 6455 §4.2.1)");
        }
        List<Extension> offers = List.of();
        try {
            if (headers.contains("Sec-WebSocket-Extensions")) offers = Extension.parse(headers.getAll("Sec-WebSocket-Extensions"));
        } catch (IllegalArgumentException e) {
            return reject("malformed Sec-WebSocket-Extensions (RFC 6455 §9.1): " + printable(e.getMessage()));
        }
        String chosen = subprotocols.isEmpty() || !headers.contains("Sec-WebSocket-Protocol") ? null
                : chooseSubprotocol(headers.tokens("Sec-WebSocket-Protocol"));
        DeflateParams params = DeflateParams.negotiateServer(offers, deflate);

        HttpHeaders response = new HttpHeaders();
        response.add("Upgrade", "websocket");
        response.add("Connection", "Upgrade");
        response.add("Sec-WebSocket-Accept", acceptKey(key));
        if (chosen != null) {
            response.add("Sec-WebSocket-Protocol", chosen);
        }
        if (params != null) {
            response.add("Sec-WebSocket-Extensions", params.toHeaderValue());
        }
        return new Accept(response, chosen, params);
    }

    private String chooseSubprotocol(List<String> offered) {
        for (String p : offered) {
            if (subprotocols.contains(p)) {
                return p;
            }
        }
        return null;
    }

    private static Reject reject(String reason) {
        return new Reject(400, reason, new HttpHeaders());
    }

    /** Keeps reasons printable and short whatever the client sent. */
    private static String printable(String s) {
        if (s == null) {
            return "(none)";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 60; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return sb.toString();
    }

    /**
     * True if {@code key} is base64 of exactly 16 bytes: 22 characters of the base64 alphabet and
     * "==" (RFC 4648 §4), the only 24-character form of 16 bytes. Checked in place, without
     * decoding; like the JDK's decoder, the 4 bits the last character carries beyond the 16th byte
     * are not checked.
     */
    static boolean isValidKey(String key) {
        if (key.length() != 24 || key.charAt(22) != '=' || key.charAt(23) != '=') {
            return false;
        }
        for (int i = 0; i < 22; i++) {
            char c = key.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/')) {
                return false;
            }
        }
        return true;
    }

    private static final byte[] GUID_BYTES = GUID.getBytes(StandardCharsets.US_ASCII);

    /** {@code Sec-WebSocket-Accept} for {@code key}: base64(SHA-1(key + GUID)) (RFC 6455 §4.2.2). */
    public static String acceptKey(String key) {
        // the key's bytes and the GUID's in one array, as US-ASCII encodes them ('?' for what it cannot)
        int n = key.length();
        byte[] input = new byte[n + GUID_BYTES.length];
        for (int i = 0; i < n; i++) {
            char c = key.charAt(i);
            input[i] = c < 0x80 ? (byte) c : (byte) '?';
        }
        System.arraycopy(GUID_BYTES, 0, input, n, GUID_BYTES.length);
        return new String(Base64.getEncoder().encode(sha1().digest(input)), StandardCharsets.ISO_8859_1);
    }

    /**
     * A SHA-1 digest cloned from a prototype: {@code MessageDigest.getInstance} looks the provider
     * up on every call (5 % of the server's CPU in a handshake-rate profile).
     */
    private static MessageDigest sha1() {
        try {
            return (MessageDigest) SHA1_PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            return newSha1();
        }
    }

    private static final MessageDigest SHA1_PROTOTYPE = newSha1();

    private static MessageDigest newSha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every Java platform", e);
        }
    }

    /** The response head (status line, headers, blank line) of an {@link Accept}, ready to write. */
    public static byte[] responseBytes(Accept accept) {
        return HttpHead.encode("HTTP/1.1 101 Switching Protocols", accept.responseHeaders());
    }
}
