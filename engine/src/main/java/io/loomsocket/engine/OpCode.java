package io.loomsocket.engine;

/**
 * Frame opcodes of RFC 6455 §5.2 and §11.8. Plain {@code int} constants so that parsers and
 * switch statements stay allocation-free.
 */
public final class OpCode {
    /** %x0: continuation of a fragmented data message (§5.4). */
    public static final int CONTINUATION = 0x0;
    /** %x1: text frame, payload is UTF-8 (§5.6). */
    public static final int TEXT = 0x1;
    /** %x2: binary frame (§5.6). */
    public static final int BINARY = 0x2;
    /** %x8: connection close (§5.5.1). */
    public static final int CLOSE = 0x8;
    /** %x9: ping (§5.5.2). */
    public static final int PING = 0x9;
    /** %xA: pong (§5.5.3). */
    public static final int PONG = 0xA;

    private OpCode() {}

    /** True for close, ping and pong: opcodes whose most significant bit is set (§5.5). */
    public static boolean isControl(int opcode) {
        return (opcode & 0x8) != 0;
    }

    /** True for continuation, text and binary (§5.6). */
    public static boolean isData(int opcode) {
        return opcode == CONTINUATION || opcode == TEXT || opcode == BINARY;
    }

    /** True for the six opcodes RFC 6455 defines; %x3-7 and %xB-F are reserved (§5.2). */
    public static boolean isKnown(int opcode) {
        return isData(opcode) || opcode == CLOSE || opcode == PING || opcode == PONG;
    }

    /** A readable name, e.g. {@code "TEXT"}, or {@code "RESERVED(0x3)"}. */
    public static String name(int opcode) {
        return switch (opcode) {
            case CONTINUATION -> "CONTINUATION";
            case TEXT -> "TEXT";
            case BINARY -> "BINARY";
            case CLOSE -> "CLOSE";
            case PING -> "PING";
            case PONG -> "PONG";
            default -> "RESERVED(0x" + Integer.toHexString(opcode) + ")";
        };
    }
}
