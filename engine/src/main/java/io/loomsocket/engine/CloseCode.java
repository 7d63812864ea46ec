package io.loomsocket.engine;

/**
 * Close status codes of RFC 6455 §7.4 (and the IANA registry of §11.7), with the rules that decide
 * which codes may appear on the wire.
 *
 * <p>Valid on the wire (§7.4.1, §7.4.2): 1000-1003, 1007-1014 and 3000-4999. Invalid: below 1000,
 * 1004 (reserved), 1005 and 1006 (never sent: they mean "no code" and "abnormal closure" locally),
 * 1015 (TLS failure, never sent), 1016-2999 (reserved for future RFCs) and 5000 and up.
 */
public final class CloseCode {
    /** 1000: normal closure. */
    public static final int NORMAL = 1000;
    /** 1001: endpoint going away (server shutdown, page navigated away). */
    public static final int GOING_AWAY = 1001;
    /** 1002: protocol error. */
    public static final int PROTOCOL_ERROR = 1002;
    /** 1003: received a data type it cannot accept. */
    public static final int UNSUPPORTED_DATA = 1003;
    /** 1004: reserved, never on the wire. */
    public static final int RESERVED = 1004;
    /** 1005: no status code was present in the close frame; never on the wire. */
    public static final int NO_STATUS = 1005;
    /** 1006: closed without a close frame; never on the wire. */
    public static final int ABNORMAL = 1006;
    /** 1007: message data inconsistent with its type (invalid UTF-8 in text). */
    public static final int INVALID_PAYLOAD = 1007;
    /** 1008: policy violation. */
    public static final int POLICY_VIOLATION = 1008;
    /** 1009: message too big to process. */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** 1010: client expected the server to negotiate an extension it did not. */
    public static final int MANDATORY_EXTENSION = 1010;
    /** 1011: server hit an unexpected condition. */
    public static final int INTERNAL_ERROR = 1011;
    /** 1012: service restart (IANA registry). */
    public static final int SERVICE_RESTART = 1012;
    /** 1013: try again later (IANA registry). */
    public static final int TRY_AGAIN_LATER = 1013;
    /** 1014: bad gateway (IANA registry). */
    public static final int BAD_GATEWAY = 1014;
    /** 1015: TLS handshake failure; never on the wire. */
    public static final int TLS_HANDSHAKE = 1015;

    private CloseCode() {}

    /**
     * True when a peer may send {@code code} in a close frame (RFC 6455 §7.4.1, §7.4.2). A close
     * frame carrying any other code is a protocol error (1002).
     */
    public static boolean isValidReceived(int code) {
        return (code >= 1000 && code <= 1003)
                || (code >= 1007 && code <= 1014)
                || (code >= 3000 && code <= 4999);
    }

    /** True when this endpoint may put {@code code} in a close frame. Same set as {@link #isValidReceived}. */
    public static boolean isValidToSend(int code) {
        return isValidReceived(code);
    }

    /**
     * The longest prefix of {@code text} that fits a close frame's reason: 123 UTF-8 bytes
     * (§5.5: a control frame's payload is at most 125 bytes, two of them the code), never
     * splitting a code point.
     */
    public static String fitReason(String text) {
        return Utf8.truncate(text, MessageEncoder.MAX_CLOSE_REASON_BYTES);
    }

    /** A readable name such as {@code "NORMAL"}; {@code "APPLICATION(4000)"} for 3000-4999. */
    public static String name(int code) {
        return switch (code) {
            case NORMAL -> "NORMAL";
            case GOING_AWAY -> "GOING_AWAY";
            case PROTOCOL_ERROR -> "PROTOCOL_ERROR";
            case UNSUPPORTED_DATA -> "UNSUPPORTED_DATA";
            case RESERVED -> "RESERVED";
            case NO_STATUS -> "NO_STATUS";
            case ABNORMAL -> "ABNORMAL";
            case INVALID_PAYLOAD -> "INVALID_PAYLOAD";
            case POLICY_VIOLATION -> "POLICY_VIOLATION";
            case MESSAGE_TOO_BIG -> "MESSAGE_TOO_BIG";
            case MANDATORY_EXTENSION -> "MANDATORY_EXTENSION";
            case INTERNAL_ERROR -> "INTERNAL_ERROR";
            case SERVICE_RESTART -> "SERVICE_RESTART";
            case TRY_AGAIN_LATER -> "TRY_AGAIN_LATER";
            case BAD_GATEWAY -> "BAD_GATEWAY";
            case TLS_HANDSHAKE -> "TLS_HANDSHAKE";
            default -> (code >= 3000 && code <= 3999) ? "REGISTERED(" + code + ")"
                    : (code >= 4000 && code <= 4999) ? "PRIVATE(" + code + ")"
                    : "INVALID(" + code + ")";
        };
    }
}
