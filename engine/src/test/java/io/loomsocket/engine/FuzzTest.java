package io.loomsocket.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random fuzzing of the parsers: only the documented failures may escape —
 * {@link ProtocolException} from the frame parser and assembler, a {@link ServerHandshake.Reject}
 * (no exception at all) from the server handshake, {@link HandshakeException} from the client's
 * response check. Short in normal runs; {@code -Dloomsocket.long=true} runs 100 times longer.
 * A failure prints its seed; rerun with {@code -Dloomsocket.fuzz.seed=N} ({@code -Dloomsocket.fuzz.rounds=N} sets the count).
 */
class FuzzTest {

    static final boolean LONG = Boolean.getBoolean("loomsocket.long");
    static final long SEED = Long.getLong("loomsocket.fuzz.seed", System.nanoTime());
    static final int ROUNDS = Integer.getInteger("loomsocket.fuzz.rounds", LONG ? 2_000_000 : 20_000);

    /** Valid traffic to mutate: data, fragments, control frames, compressed messages. */
    static byte[] validStream(Random r, Role sender, boolean deflate) {
        FrameWriter w = new FrameWriter(sender, MaskSource.fixed(r.nextInt()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int frames = 1 + r.nextInt(5);
        for (int i = 0; i < frames; i++) {
            byte[] p = new byte[r.nextInt(4) == 0 ? r.nextInt(300) : r.nextInt(20)];
            for (int j = 0; j < p.length; j++) {
                p[j] = (byte) (r.nextBoolean() ? 'a' + r.nextInt(26) : r.nextInt());
            }
            int op = switch (r.nextInt(6)) {
                case 0 -> OpCode.TEXT;
                case 1 -> OpCode.BINARY;
                case 2 -> OpCode.CONTINUATION;
                case 3 -> OpCode.PING;
                case 4 -> OpCode.PONG;
                default -> OpCode.CLOSE;
            };
            if (OpCode.isControl(op) && p.length > 125) {
                p = java.util.Arrays.copyOf(p, 125);
            }
            if (deflate && !OpCode.isControl(op) && r.nextBoolean()) {
                PerMessageDeflate pmd = PerMessageDeflate.of(sender, new DeflateParams(true, true, 0, 0), DeflateConfig.DEFAULT);
                p = pmd.compress(p, 0, p.length, true);
                pmd.close();
                out.writeBytes(w.encode(new Frame(true, op != OpCode.CONTINUATION, false, false, op, p)));
            } else {
                out.writeBytes(w.encode(new Frame(r.nextInt(3) != 0 || OpCode.isControl(op), false, false, false, op, p)));
            }
        }
        return out.toByteArray();
    }

    static byte[] mutate(Random r, byte[] b) {
        byte[] m = b.clone();
        int edits = r.nextInt(4);
        for (int i = 0; i < edits && m.length > 0; i++) {
            switch (r.nextInt(4)) {
                case 0 -> m[r.nextInt(m.length)] = (byte) r.nextInt();
                case 1 -> m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
                case 2 -> m = java.util.Arrays.copyOf(m, r.nextInt(m.length + 1));
                default -> {
                    int at = r.nextInt(m.length);
                    m[at] = (byte) (m[at] & 0x8F | (r.nextInt(8) << 4)); // RSV bits
                }
            }
        }
        return m;
    }

    @Test
    void frameParserAndAssemblerOnlyThrowProtocolException() {
        Random r = new Random(SEED);
        int frames = 0;
        int rejected = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Role role = r.nextBoolean() ? Role.SERVER : Role.CLIENT;
            Role sender = r.nextInt(10) == 0 ? role : (role == Role.SERVER ? Role.CLIENT : Role.SERVER);
            boolean deflate = r.nextBoolean();
            byte[] input = r.nextInt(8) == 0 ? randomBytes(r) : mutate(r, validStream(r, sender, deflate));
            EngineConfig cfg = EngineConfig.defaults().withMaxFrameSize(125 + r.nextInt(400))
                    .withMaxMessageSize(r.nextInt(600)).withStreamChunkSize(16 + r.nextInt(50));
            PerMessageDeflate pmd = deflate ? PerMessageDeflate.of(role, new DeflateParams(true, true, 0, 0), DeflateConfig.DEFAULT) : null;
            MessageAssembler a = new MessageAssembler(role, cfg, pmd);
            a.setStreaming(r.nextBoolean());
            FrameParser p = new FrameParser(role, cfg.maxFrameSize(), deflate);
            try {
                ByteBuffer buf = ByteBuffer.allocate(input.length);
                ByteBuffer raw = ByteBuffer.allocate(input.length);
                for (int off = 0; off < input.length; ) {
                    int n = 1 + r.nextInt(input.length - off);
                    buf.put(input, off, n).flip();
                    raw.put(input, off, n).flip();
                    off += n;
                    try {
                        while (p.parse(raw) != null) {
                            frames++;
                        }
                    } catch (ProtocolException e) {
                        raw.position(raw.limit()); // the parser alone is done; the assembler continues
                        p = new FrameParser(role, cfg.maxFrameSize(), deflate);
                        assertThat(CloseCode.isValidToSend(e.closeCode())).isTrue();
                    }
                    raw.compact();
                    for (Event e; (e = a.next(buf)) != null; ) {
                        assertThat(e).isNotNull();
                    }
                    buf.compact();
                }
            } catch (ProtocolException e) {
                rejected++;
                assertThat(e.closeCode()).isIn(1002, 1007, 1009);
                assertThat(e.closeReason().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(123);
            } catch (Throwable t) {
                throw new AssertionError("seed " + SEED + " round " + round + " input " + Hex.hex(input), t);
            } finally {
                if (pmd != null) {
                    pmd.close();
                }
            }
        }
        assertThat(frames).isPositive();
        assertThat(rejected).isPositive().isLessThan(ROUNDS);
    }

    static byte[] randomBytes(Random r) {
        byte[] b = new byte[r.nextInt(40)];
        r.nextBytes(b);
        return b;
    }

    static final String[] NAMES = {"Host", "Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version",
            "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions", "Origin", "sec-websocket-key", "X-Other"};
    static final String[] VALUES = {"websocket", "Upgrade", "upgrade, keep-alive", "13", "8", "dGhlIHNhbXBsZSBub25jZQ==",
            "AAAAAAAAAAAAAAAAAAAAAA==", "chat, superchat", "permessage-deflate", "permessage-deflate; client_max_window_bits",
            "permessage-deflate; server_max_window_bits=10, permessage-deflate", "x; y=\"z\"", "", " , ,", "\"", ";",
            "example.com", "permessage-deflate; server_no_context_takeover; client_no_context_takeover"};

    static String randomValue(Random r) {
        String v = VALUES[r.nextInt(VALUES.length)];
        if (r.nextInt(4) == 0) {
            StringBuilder sb = new StringBuilder(v);
            for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
                int at = sb.isEmpty() ? 0 : r.nextInt(sb.length());
                char c = (char) (r.nextInt(5) == 0 ? r.nextInt(0x3000) : 0x20 + r.nextInt(0x5F));
                if (c == '\r' || c == '\n' || c == 0) c = '\u000b'; // HttpHeaders refuses CR, LF and NUL
                if (sb.isEmpty() || r.nextBoolean()) {
                    sb.insert(at, c);
                } else {
                    sb.setCharAt(at, c);
                }
            }
            v = sb.toString();
        }
        return v;
    }

    @Test
    void serverHandshakeNeverThrowsAndNeverAnswersWhatWasNotOffered() {
        Random r = new Random(SEED + 1);
        ServerHandshake server = new ServerHandshake(List.of("chat", "superchat"), DeflateConfig.DEFAULT);
        int accepted = 0;
        for (int round = 0; round < ROUNDS; round++) {
            HttpHeaders h = ServerHandshakeTest.valid();
            for (int i = 0, n = r.nextInt(5); i < n; i++) {
                String name = NAMES[r.nextInt(NAMES.length)];
                switch (r.nextInt(3)) {
                    case 0 -> h.add(name, randomValue(r));
                    case 1 -> h.set(name, randomValue(r));
                    default -> h.remove(name);
                }
            }
            String method = r.nextInt(20) == 0 ? randomValue(r) : "GET";
            String version = r.nextInt(20) == 0 ? randomValue(r) : "HTTP/1.1";
            ServerHandshake.Result res;
            try {
                res = server.handshake(method, version, h);
            } catch (Throwable t) {
                throw new AssertionError("seed " + SEED + " round " + round + " headers " + h, t);
            }
            if (res instanceof ServerHandshake.Accept a) {
                accepted++;
                if (a.subprotocol() != null) {
                    assertThat(h.tokens("Sec-WebSocket-Protocol")).contains(a.subprotocol());
                }
                if (a.deflate() != null) {
                    // extension names compare case-insensitively (tokens, RFC 9110 §5.6.2)
                    assertThat(h.getAll("Sec-WebSocket-Extensions").toString().toLowerCase(java.util.Locale.ROOT)).contains("permessage-deflate");
                }
                // the client side must accept whatever the server accepted
                ClientHandshake c = new ClientHandshake("h", "/", List.of("chat", "superchat"), DeflateConfig.DEFAULT, null,
                        h.get("Sec-WebSocket-Key").strip());
                c.validate(101, a.responseHeaders());
            } else {
                ServerHandshake.Reject j = (ServerHandshake.Reject) res;
                assertThat(j.status()).isIn(400, 426);
                assertThat(j.reason()).isNotBlank();
            }
        }
        assertThat(accepted).isPositive().isLessThan(ROUNDS);
    }

    @Test
    void clientResponseCheckOnlyThrowsHandshakeException() {
        Random r = new Random(SEED + 2);
        for (int round = 0; round < ROUNDS; round++) {
            ClientHandshake c = ClientHandshakeTest.client(r.nextBoolean() ? DeflateConfig.DEFAULT : DeflateConfig.DISABLED, "chat");
            HttpHeaders h = ClientHandshakeTest.response();
            for (int i = 0, n = r.nextInt(4); i < n; i++) {
                h.add(NAMES[r.nextInt(NAMES.length)], randomValue(r));
            }
            try {
                c.validate(r.nextInt(10) == 0 ? 200 : 101, h);
            } catch (HandshakeException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            } catch (Throwable t) {
                throw new AssertionError("seed " + SEED + " round " + round + " headers " + h, t);
            }
        }
    }
}
