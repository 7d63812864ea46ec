package io.loomsocket.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Negotiated permessage-deflate parameters (RFC 7692 §7.1), as they appear in the server's
 * response. Window bits of 0 mean "parameter absent" (a 15-bit window, RFC 7692 §7.1.2).
 *
 * <p>Negotiation is done by {@link ServerHandshake} and {@link ClientHandshake}; the rules and the
 * 15-bit-window limitation of {@code java.util.zip} are documented on {@link PerMessageDeflate}.
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
     * Server side (RFC 7692 §5, §7.1): walks the client's offers in order and accepts the first one
     * it can honour, or returns null to decline them all. Invalid offers are declined; an offer
     * with {@code server_max_window_bits} below 15 is declined because {@code java.util.zip.Deflater}
     * only compresses with a 15-bit window.
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
            if (o.serverBits() != 0 && o.serverBits() < 15) {
                continue; // we cannot limit our LZ77 window below 32 KiB; try the next offer
            }
            boolean noTakeover = !cfg.contextTakeover();
            return new DeflateParams(
                    o.serverNct() || noTakeover, // §7.1.1.1: must echo it when offered; may add it
                    o.clientNct() || (noTakeover && !cfg.peerContextTakeover()), // §7.1.1.2: may ask the client for it
                    o.serverBits() == 15 ? 15 : 0, // §7.1.2.1: when offered, answer with a value <= the offer
                    0); // §7.1.2.2: optional; our 15-bit inflater reads any client window
        }
        return null;
    }

    /**
     * Client side: the offers to send, in preference order (see {@link PerMessageDeflate}).
     * Without context takeover: first both no_context_takeover parameters (no zlib state kept
     * between messages), then, for servers that refuse {@code server_no_context_takeover}
     * (Netty's default), {@code client_no_context_takeover} alone (§5.1: the server takes the
     * first offer it accepts). With context takeover: one offer without parameters.
     */
    static List<Extension> clientOffers(DeflateConfig cfg) {
        // no client_max_window_bits: Deflater could not honour a value below 15 (§7.1.2.2)
        if (cfg.contextTakeover()) return List.of(new Extension(NAME, List.of()));
        Extension.Param serverNct = new Extension.Param(SERVER_NO_CONTEXT_TAKEOVER, null);
        Extension.Param clientNct = new Extension.Param(CLIENT_NO_CONTEXT_TAKEOVER, null);
        return List.of(new Extension(NAME, List.of(serverNct, clientNct)), new Extension(NAME, List.of(clientNct)));
    }

    /**
     * Client side: checks the server's permessage-deflate response element (RFC 7692 §7.1).
     *
     * @throws HandshakeException if it has invalid, unknown or duplicate parameters, or a
     *                            {@code client_max_window_bits} the client did not offer
     */
    static DeflateParams acceptResponse(Extension e) {
        Parsed r = parse(e, false);
        if (r == null) {
            throw new HandshakeException("invalid permessage-deflate response: " + e + " (RFC 7692 §7)");
        }
        if (r.clientBits() != 0) {
            throw new HandshakeException("server sent client_max_window_bits, which was not offered (RFC 7692 §7.1.2.2)");
        }
        return new DeflateParams(r.serverNct(), r.clientNct(), r.serverBits(), 0);
    }
}
