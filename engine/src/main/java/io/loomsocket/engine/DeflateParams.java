package io.loomsocket.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Negotiated permessage-deflate parameters (RFC 7692 §7.1), as they appear in the server's
 * response. Window bits of 0 mean "parameter absent" (a 15-bit window, RFC 7692 §7.1.2).
 *
 * <p>Negotiation is done by {@link ServerHandshake} and {@link ClientHandshake}: see
 * {@link #negotiateServer} and {@link #clientOffers}.
 *
 * @param serverNoContextTakeover the server resets its compressor after every message (§7.1.1.1)
 * @param clientNoContextTakeover the client resets its compressor after every message (§7.1.1.2)
 * @param serverMaxWindowBits     8..15, or 0 when absent (§7.1.2.1)
 * @param clientMaxWindowBits     8..15, or 0 when absent (§7.1.2.2)
 */
public record DeflateParams(boolean serverNoContextTakeover, boolean clientNoContextTakeover,
                            int serverMaxWindowBits, int clientMaxWindowBits) {

    /** The extension token (RFC 7692 §7). */
    public static final String NAME = "permessage-deflate";

    static final String SERVER_NO_CONTEXT_TAKEOVER = "server_no_context_takeover";
    static final String CLIENT_NO_CONTEXT_TAKEOVER = "client_no_context_takeover";
    static final String SERVER_MAX_WINDOW_BITS = "server_max_window_bits";
    static final String CLIENT_MAX_WINDOW_BITS = "client_max_window_bits";
    /** Internal marker: client_max_window_bits present without a value (allowed in offers only). */
    static final int BITS_NO_VALUE = -1;

    public DeflateParams {
        checkBits(serverMaxWindowBits);
        checkBits(clientMaxWindowBits);
    }

    private static void checkBits(int bits) {
        if (bits != 0 && (bits < 8 || bits > 15)) {
            throw new IllegalArgumentException("window bits must be 8..15 or 0 (absent): " + bits);
        }
    }

    /** This response as an extension element. */
    public Extension toExtension() {
        List<Extension.Param> p = new ArrayList<>(4);
        if (serverNoContextTakeover) {
            p.add(new Extension.Param(SERVER_NO_CONTEXT_TAKEOVER, null));
        }
        if (clientNoContextTakeover) {
            p.add(new Extension.Param(CLIENT_NO_CONTEXT_TAKEOVER, null));
        }
        if (serverMaxWindowBits != 0) {
            p.add(new Extension.Param(SERVER_MAX_WINDOW_BITS, Integer.toString(serverMaxWindowBits)));
        }
        if (clientMaxWindowBits != 0) {
            p.add(new Extension.Param(CLIENT_MAX_WINDOW_BITS, Integer.toString(clientMaxWindowBits)));
        }
        return new Extension(NAME, p);
    }

    /** The {@code Sec-WebSocket-Extensions} value, e.g. {@code permessage-deflate; server_no_context_takeover}. */
    public String toHeaderValue() {
        return toExtension().toString();
    }

    /** Parameters of one offer or response; {@code null} from {@link #parse} when invalid. */
    record Parsed(boolean serverNct, boolean clientNct, int serverBits, int clientBits) {}

    static boolean isDeflate(Extension e) {
        return e.name().toLowerCase(Locale.ROOT).equals(NAME);
    }

    /**
     * Parses the parameters of one permessage-deflate element. Returns null for an unknown or
     * duplicate parameter or an invalid value (RFC 7692 §7: such an offer is declined, such a
     * response fails the connection). {@code client_max_window_bits} without a value is valid only
     * in an offer and yields {@link #BITS_NO_VALUE}.
     */
    static Parsed parse(Extension e, boolean offer) {
        boolean sNct = false;
        boolean cNct = false;
        int sBits = 0;
        int cBits = 0;
        boolean seenSBits = false;
        boolean seenCBits = false;
        for (Extension.Param p : e.params()) {
            switch (p.name().toLowerCase(Locale.ROOT)) {
                case SERVER_NO_CONTEXT_TAKEOVER -> {
                    if (sNct || p.value() != null) {
                        return null;
                    }
                    sNct = true;
                }
                case CLIENT_NO_CONTEXT_TAKEOVER -> {
                    if (cNct || p.value() != null) {
                        return null;
                    }
                    cNct = true;
                }
                case SERVER_MAX_WINDOW_BITS -> {
                    if (seenSBits) {
                        return null;
                    }
                    seenSBits = true;
                    sBits = bits(p.value());
                    if (sBits <= 0) {
                        return null;
                    }
                }
                case CLIENT_MAX_WINDOW_BITS -> {
                    if (seenCBits) {
                        return null;
                    }
                    seenCBits = true;
                    if (p.value() == null) {
                        if (!offer) {
                            return null; // §7.1.2.2: a response must give a value
                        }
                        cBits = BITS_NO_VALUE;
                    } else {
                        cBits = bits(p.value());
                        if (cBits <= 0) {
                            return null;
                        }
                    }
                }
                default -> {
                    return null; // unknown parameter (§7)
                }
            }
        }
        return new Parsed(sNct, cNct, sBits, cBits);
    }

    /** 8..15 written without leading zeros (§7.1.2.1), else -2. */
    private static int bits(String v) {
        if (v == null) {
            return -2;
        }
        return switch (v) {
            case "8" -> 8;
            case "9" -> 9;
            case "10" -> 10;
            case "11" -> 11;
            case "12" -> 12;
            case "13" -> 13;
            case "14" -> 14;
            case "15" -> 15;
            default -> -2;
        };
    }

    /**
     * Server side (RFC 7692 §5, §7.1): walks the client's offers in order and accepts the first valid
     * one, or returns null to decline them all (invalid offers are declined, §7). Every window size
     * can be honoured ({@link PerMessageDeflate} compresses within any window), so every valid offer
     * is acceptable:
     * <ul>
     * <li>{@code server_no_context_takeover} is echoed when offered and added when we keep no
     *     context (§7.1.1.1);</li>
     * <li>an offered {@code server_max_window_bits} is answered with the smaller of it and
     *     {@link DeflateConfig#windowBits()} (§7.1.2.1); when none was offered we still compress
     *     within {@code windowBits} without saying so (the client's decoder reads any smaller
     *     window);</li>
     * <li>the client may keep its context ({@link DeflateConfig#peerContextTakeover()}) within
     *     {@link DeflateConfig#peerWindowBits()}: an offered {@code client_max_window_bits} is
     *     answered with the smaller of the offered value (15 when it had none) and that setting
     *     (§7.1.2.2); a client that did not offer it cannot be limited and keeps its context
     *     in a 15-bit window (§7.1.2.2's default; Netty's server answers the same). Asking it
     *     for {@code client_no_context_takeover} instead would save ~40 KiB per connection here,
     *     but clients that offer no window bits (Netty's, OkHttp's) then build a new compressor
     *     for every message and compress it from an empty window, about twice their CPU per
     *     16 KiB message (measured: docs/compression.md). {@code peerContextTakeover} false
     *     still asks every client for {@code client_no_context_takeover}.</li>
     * </ul>
     */
    static DeflateParams negotiateServer(List<Extension> offers, DeflateConfig cfg) {
        if (!cfg.enabled()) {
            return null;
        }
        for (Extension e : offers) {
            if (!isDeflate(e)) {
                continue;
            }
            Parsed o = parse(e, true);
            if (o == null) {
                continue;
            }
            boolean serverNct = o.serverNct() || !cfg.contextTakeover();
            int serverBits = o.serverBits() == 0 ? 0 : Math.min(o.serverBits(), cfg.windowBits());
            boolean clientNct = o.clientNct();
            int clientBits = 0;
            if (!clientNct) {
                if (!cfg.peerContextTakeover()) {
                    clientNct = true;
                } else if (o.clientBits() != 0) {
                    int offered = o.clientBits() == BITS_NO_VALUE ? 15 : o.clientBits();
                    int bits = Math.min(offered, cfg.peerWindowBits());
                    clientBits = bits < 15 ? bits : 0;
                }
            }
            return new DeflateParams(serverNct, clientNct, serverBits, clientBits);
        }
        return null;
    }

    /**
     * Client side: the offers to send, in preference order (RFC 7692 §5.1: the server takes the
     * first it accepts). Each offers {@code client_max_window_bits} (we honour any value the server
     * answers, §7.1.2.2) and {@code client_no_context_takeover} when we keep no context. When the
     * server may keep its context, the first offer asks for {@code server_max_window_bits} =
     * {@link DeflateConfig#peerWindowBits()} (unless 15) and the second omits it, for servers that
     * cannot compress with a smaller window (§7.1.2.1 lets them decline). When it may not, the
     * first offer asks for {@code server_no_context_takeover} and the second omits it, for servers
     * that refuse to drop their context (Netty's default).
     */
    static List<Extension> clientOffers(DeflateConfig cfg) {
        List<Extension.Param> base = new ArrayList<>(2);
        base.add(new Extension.Param(CLIENT_MAX_WINDOW_BITS, null));
        if (!cfg.contextTakeover()) {
            base.add(new Extension.Param(CLIENT_NO_CONTEXT_TAKEOVER, null));
        }
        Extension.Param first;
        if (!cfg.peerContextTakeover()) {
            first = new Extension.Param(SERVER_NO_CONTEXT_TAKEOVER, null);
        } else if (cfg.peerWindowBits() < 15) {
            first = new Extension.Param(SERVER_MAX_WINDOW_BITS, Integer.toString(cfg.peerWindowBits()));
        } else {
            return List.of(new Extension(NAME, base));
        }
        List<Extension.Param> limited = new ArrayList<>(List.of(first));
        limited.addAll(base);
        return List.of(new Extension(NAME, limited), new Extension(NAME, base));
    }

    /**
     * Client side: checks the server's permessage-deflate response element (RFC 7692 §7.1). Any
     * valid window bits are accepted: the client offered {@code client_max_window_bits} and
     * compresses within whatever the server answers, and it decodes any server window.
     *
     * @throws HandshakeException if it has invalid, unknown or duplicate parameters
     */
    static DeflateParams acceptResponse(Extension e) {
        Parsed r = parse(e, false);
        if (r == null) {
            throw new HandshakeException("invalid permessage-deflate response: " + e + " (RFC 7692 §7)");
        }
        return new DeflateParams(r.serverNct(), r.clientNct(), r.serverBits(), r.clientBits());
    }
}
