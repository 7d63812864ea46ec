package io.loomsocket.channels;

import io.loomsocket.Message;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What the Redis layer publishes: one message (or group change) with the sending server's id and
 * a sequence number per (sender, Redis channel), so receivers can tell when they missed some.
 *
 * <pre>
 * byte  version (1)
 * byte  kind: 1 text, 2 binary, 3 group add, 4 group discard, 5 presence change (sequence 0:
 *       published by a Lua script, see {@link RedisPresence})
 * byte  length of origin, then origin (ASCII server id)
 * long  sequence number (big-endian), 1 for the first message on a Redis channel
 * byte  length of target, then target (ASCII channel or group name)
 * rest  payload: UTF-8 text, binary data, or the group name for 3/4
 * </pre>
 */
record Envelope(byte kind, String origin, long seq, String target, byte[] payload) {
    static final byte VERSION = 1;
    static final byte TEXT = 1, BINARY = 2, GROUP_ADD = 3, GROUP_DISCARD = 4, PRESENCE = 5;

    static Envelope of(Message m, String origin, String target) {
        return new Envelope(m.isText() ? TEXT : BINARY, origin, 0, target, m.bytes());
    }

    Message message() {
        return kind == TEXT ? Message.text(new String(payload, StandardCharsets.UTF_8)) : Message.binary(payload);
    }

    /** Offset of the sequence number in {@link #encode()}'s output (to stamp it later). */
    int seqOffset() { return 3 + origin.length(); }

    byte[] encode() {
        byte[] o = origin.getBytes(StandardCharsets.US_ASCII);
        byte[] t = target.getBytes(StandardCharsets.US_ASCII);
        if (o.length > 255 || t.length > 255) throw new IllegalArgumentException("name too long");
        ByteBuffer b = ByteBuffer.allocate(2 + 1 + o.length + 8 + 1 + t.length + payload.length);
        b.put(VERSION).put(kind).put((byte) o.length).put(o).putLong(seq).put((byte) t.length).put(t).put(payload);
        return b.array();
    }

    static void stampSeq(byte[] encoded, int offset, long seq) {
        ByteBuffer.wrap(encoded).putLong(offset, seq);
    }

    /** @throws IllegalArgumentException for bytes this layer did not publish */
    static Envelope decode(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (b.get() != VERSION) throw new IllegalArgumentException("unknown envelope version " + bytes[0]);
            byte kind = b.get();
            if (kind < TEXT || kind > PRESENCE) throw new IllegalArgumentException("unknown envelope kind " + kind);
            byte[] o = new byte[b.get() & 0xff];
            b.get(o);
            long seq = b.getLong();
            byte[] t = new byte[b.get() & 0xff];
            b.get(t);
            byte[] payload = new byte[b.remaining()];
            b.get(payload);
            return new Envelope(kind, new String(o, StandardCharsets.US_ASCII), seq, new String(t, StandardCharsets.US_ASCII), payload);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated envelope of " + bytes.length + " bytes", e);
        }
    }
}
