package io.loomsocket.engine;

/**
 * The peer broke RFC 6455 or RFC 7692, or exceeded a configured limit. It carries the close code
 * this endpoint should send before failing the connection (RFC 6455 §7.1.7): 1002 protocol error,
 * 1007 invalid payload, 1009 message too big, 1010 mandatory extension.
 *
 * <p>This is the only exception the engine's parsers ({@link FrameParser}, {@link MessageAssembler})
 * throw on bad input. The message is meant for logs and fits a close reason (at most 123 UTF-8
 * bytes, see {@link #closeReason()}).
 */
public final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int closeCode;

    public ProtocolException(int closeCode, String message) {
        super(message);
        if (!CloseCode.isValidToSend(closeCode)) {
            throw new IllegalArgumentException("not a sendable close code: " + closeCode);
        }
        this.closeCode = closeCode;
    }

    /** 1002 with the given reason. */
    static ProtocolException protocol(String message) {
        return new ProtocolException(CloseCode.PROTOCOL_ERROR, message);
    }

    /** The close code to send to the peer. */
    public int closeCode() {
        return closeCode;
    }

    /** The message cut to fit a close frame's reason (RFC 6455 §5.5: 125 bytes minus the 2-byte code). */
    public String closeReason() {
        return Utf8.truncate(getMessage(), 123);
    }
}
