package io.loomsocket.engine;

import static io.loomsocket.engine.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** RFC 7692 data path: §7.2.3 byte-exact examples, thresholds, context takeover, pooling, bombs. */
class PerMessageDeflateTest {

    /** zlib's own 15-bit window both ways, no context kept unless a test turns it on. */
    static final DeflateConfig FULL_WINDOW = DeflateConfig.DEFAULT.withWindowBits(15).withPeerWindowBits(15)
            .withContextTakeover(false).withPeerContextTakeover(false);

    static final DeflateParams NO_TAKEOVER = new DeflateParams(true, true, 0, 0);
    static final DeflateParams TAKEOVER = new DeflateParams(false, false, 0, 0);
    static final DeflateConfig ALWAYS = FULL_WINDOW.withThreshold(0);

    /** A client receiving what a server sends (the RFC 7692 examples are server-to-client, unmasked). */
    static List<Event> clientReceives(DeflateParams params, byte[] wire, Hex.Split split) {
        PerMessageDeflate pmd = PerMessageDeflate.of(Role.CLIENT, params, FULL_WINDOW);
        MessageAssembler a = new MessageAssembler(Role.CLIENT, EngineConfig.defaults(), pmd);
        List<Event> ev = Hex.feed(wire, split, a::next);
        pmd.close();
        return ev;
    }

    static byte[] serverSends(DeflateParams params, DeflateConfig cfg, String... texts) {
        PerMessageDeflate pmd = PerMessageDeflate.of(Role.SERVER, params, cfg);
        MessageEncoder enc = new MessageEncoder(Role.SERVER, pmd, null);
        ByteBuffer out = ByteBuffer.allocate(4096);
        for (String t : texts) {
            enc.startText(t);
            assertThat(enc.encode(out)).isTrue();
        }
        pmd.close();
        return java.util.Arrays.copyOf(out.array(), out.position());
    }

    @ParameterizedTest
    @EnumSource(Hex.Split.class)
    void rfc7692_7_2_3_1_compressedHelloSingleFrame(Hex.Split split) {
        byte[] wire = bytes("c1 07 f2 48 cd c9 c9 07 00");
        assertThat(clientReceives(NO_TAKEOVER, wire, split)).containsExactly(new Event.Text("Hello"));
        assertThat(serverSends(NO_TAKEOVER, ALWAYS, "Hello")).isEqualTo(wire);
    }

    @ParameterizedTest
    @EnumSource(Hex.Split.class)
    void rfc7692_7_2_3_1_compressedHelloFragmented(Hex.Split split) {
        byte[] wire = bytes("41 03 f2 48 cd 80 04 c9 c9 07 00");
        assertThat(clientReceives(NO_TAKEOVER, wire, split)).containsExactly(new Event.Text("Hello"));
    }

    @ParameterizedTest
    @EnumSource(Hex.Split.class)
    void rfc7692_7_2_3_2_sharingTheLz77Window(Hex.Split split) {
        byte[] wire = bytes("c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00");
        assertThat(clientReceives(TAKEOVER, wire, split)).containsExactly(new Event.Text("Hello"), new Event.Text("Hello"));
        assertThat(serverSends(TAKEOVER, ALWAYS.withContextTakeover(true), "Hello", "Hello")).isEqualTo(wire);
        // without context takeover every message is compressed on its own
        assertThat(serverSends(NO_TAKEOVER, ALWAYS, "Hello", "Hello")).isEqualTo(bytes("c1 07 f2 48 cd c9 c9 07 00 c1 07 f2 48 cd c9 c9 07 00"));
    }

    @ParameterizedTest
    @EnumSource(Hex.Split.class)
    void rfc7692_7_2_3_3_deflateBlockWithNoCompression(Hex.Split split) {
        assertThat(clientReceives(NO_TAKEOVER, bytes("c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00"), split))
                .containsExactly(new Event.Text("Hello"));
    }

    @ParameterizedTest
    @EnumSource(Hex.Split.class)
    void rfc7692_7_2_3_4_deflateBlockWithBfinalSet(Hex.Split split) {
        // twice, with context takeover: after a BFINAL block the next message starts a new stream
        byte[] one = bytes("c1 08 f3 48 cd c9 c9 07 00 00");
        assertThat(clientReceives(TAKEOVER, Hex.concat(one, one), split))
                .containsExactly(new Event.Text("Hello"), new Event.Text("Hello"));
    }

    @ParameterizedTest
    @EnumSource(Hex.Split.class)
    void rfc7692_7_2_3_5_twoDeflateBlocksInOneMessage(Hex.Split split) {
        assertThat(clientReceives(NO_TAKEOVER, bytes("c1 0d f2 48 05 00 00 00 ff ff ca c9 c9 07 00"), split))
                .containsExactly(new Event.Text("Hello"));
    }

    @Test
    void rfc7692_6_messagesBelowThresholdGoUncompressed() {
        byte[] wire = serverSends(NO_TAKEOVER, FULL_WINDOW, "Hello");
        assertThat(wire).isEqualTo(bytes("81 05 48 65 6c 6c 6f"));
        String big = "x".repeat(200);
        byte[] compressed = serverSends(NO_TAKEOVER, FULL_WINDOW, big);
        assertThat(compressed[0] & 0x40).as("RSV1").isNotZero();
        assertThat(compressed.length).isLessThan(50);
    }

    static List<Event> roundTrip(DeflateParams params, DeflateConfig cfg, boolean streaming, List<byte[]> messages, boolean fragmented) {
        PerMessageDeflate clientSide = PerMessageDeflate.of(Role.CLIENT, params, cfg);
        PerMessageDeflate serverSide = PerMessageDeflate.of(Role.SERVER, params, cfg);
        MessageEncoder enc = new MessageEncoder(Role.CLIENT, clientSide, MaskSource.fixed(0x0badcafe));
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(64); // small: frames go out in several pieces
        for (byte[] m : messages) {
            if (fragmented) {
                for (int off = 0, step = 1; off < m.length || off == 0; off += step, step = step * 3 + 1) {
                    int n = Math.min(step, m.length - off);
                    enc.startFragment(false, m, off, n, off + n >= m.length);
                    while (!enc.encode(buf)) {
                        wire.write(buf.array(), 0, buf.position());
                        buf.clear();
                    }
                    if (m.length == 0) {
                        break;
                    }
                }
            } else {
                enc.startBinary(m, 0, m.length);
                while (!enc.encode(buf)) {
                    wire.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
            }
        }
        wire.write(buf.array(), 0, buf.position());
        MessageAssembler a = new MessageAssembler(Role.SERVER, EngineConfig.defaults().withStreamChunkSize(100), serverSide);
        a.setStreaming(streaming);
        List<Event> ev = Hex.feed(wire.toByteArray(), Hex.Split.HALVES, a::next);
        // only a 15-bit window with context takeover keeps a zlib object; smaller windows keep a byte array
        assertThat(serverSide.holdsZlibState())
                .isEqualTo(serverSide.inboundContextTakeover() && serverSide.inboundWindowBits() == 15 && !messages.isEmpty());
        assertThat(clientSide.holdsZlibState())
                .isEqualTo(clientSide.outboundContextTakeover() && clientSide.outboundWindowBits() == 15 && !messages.isEmpty());
        clientSide.close();
        serverSide.close();
        assertThat(serverSide.holdsZlibState()).isFalse();
        return ev;
    }

    @Test
    void roundTripsEveryModeAndKeepsIdleConnectionsFreeOfZlibState() {
        Random r = new Random(5);
        List<byte[]> messages = new java.util.ArrayList<>();
        for (int size : new int[] {0, 1, 127, 128, 5000, 70000}) {
            byte[] m = new byte[size];
            for (int i = 0; i < size; i++) {
                m[i] = (byte) (r.nextInt(8) == 0 ? r.nextInt() : 'a' + (i % 7)); // compressible
            }
            messages.add(m);
        }
        for (DeflateParams params : List.of(NO_TAKEOVER, TAKEOVER)) {
            DeflateConfig cfg = FULL_WINDOW.withContextTakeover(params == TAKEOVER);
            for (boolean fragmented : new boolean[] {false, true}) {
                List<Event> assembled = roundTrip(params, cfg, false, messages, fragmented);
                assertThat(assembled).as("%s fragmented=%s", params, fragmented)
                        .containsExactlyElementsOf(messages.stream().map(m -> (Event) new Event.Binary(m)).toList());
                List<Event> streamed = roundTrip(params, cfg, true, messages, fragmented);
                ByteArrayOutputStream cur = new ByteArrayOutputStream();
                List<byte[]> got = new java.util.ArrayList<>();
                for (Event e : streamed) {
                    switch (e) {
                        case Event.StreamStart s -> cur.reset();
                        case Event.StreamData d -> cur.writeBytes(d.data());
                        case Event.StreamEnd x -> got.add(cur.toByteArray());
                        default -> throw new AssertionError(e);
                    }
                }
                assertThat(got).hasSize(messages.size());
                for (int i = 0; i < got.size(); i++) {
                    assertThat(got.get(i)).isEqualTo(messages.get(i));
                }
            }
        }
    }

    static byte[] compressedFrame(byte[] data, boolean text) {
        Deflater d = new Deflater(9, true);
        d.setInput(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        do {
            n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            out.write(buf, 0, n);
        } while (n == buf.length);
        d.end();
        byte[] all = out.toByteArray();
        byte[] payload = java.util.Arrays.copyOf(all, all.length - 4); // strip 00 00 ff ff (RFC 7692 §7.2.1)
        return MessageAssemblerTest.wire(new Frame(true, true, false, false, text ? OpCode.TEXT : OpCode.BINARY, payload));
    }

    @Test
    void rfc7692_8_1_deflateBombStopsAtTheLimit_is1009() {
        byte[] bomb = compressedFrame(new byte[50 << 20], false); // 50 MiB of zeros, ~50 KiB on the wire
        assertThat(bomb.length).isLessThan(100_000);
        for (boolean streaming : new boolean[] {false, true}) {
            PerMessageDeflate pmd = PerMessageDeflate.of(Role.SERVER, NO_TAKEOVER, FULL_WINDOW);
            EngineConfig cfg = EngineConfig.defaults().withMaxStreamedMessageSize(1 << 20);
            MessageAssembler a = new MessageAssembler(Role.SERVER, cfg, pmd);
            a.setStreaming(streaming);
            ByteBuffer in = ByteBuffer.wrap(bomb);
            long start = System.nanoTime();
            assertThatThrownBy(() -> { while (a.next(in) != null) { /* drain chunks */ } })
                    .isInstanceOf(ProtocolException.class)
                    .satisfies(e -> assertThat(((ProtocolException) e).closeCode()).isEqualTo(1009));
            assertThat(System.nanoTime() - start).as("stopped early, not after 50 MiB").isLessThan(2_000_000_000L);
            pmd.close();
        }
    }

    @Test
    void rfc7692_compressedTextIsUtf8Validated_is1007() {
        byte[] bad = compressedFrame(Hex.concat("hello ".repeat(30).getBytes(StandardCharsets.UTF_8), bytes("c0af")), true);
        for (boolean streaming : new boolean[] {false, true}) {
            PerMessageDeflate pmd = PerMessageDeflate.of(Role.SERVER, NO_TAKEOVER, FULL_WINDOW);
            MessageAssembler a = new MessageAssembler(Role.SERVER, EngineConfig.defaults(), pmd);
            a.setStreaming(streaming);
            ByteBuffer in = ByteBuffer.wrap(bad);
            assertThatThrownBy(() -> { while (a.next(in) != null) { /* drain */ } })
                    .isInstanceOf(ProtocolException.class)
                    .satisfies(e -> assertThat(((ProtocolException) e).closeCode()).isEqualTo(1007));
        }
    }

    @Test
    void rfc7692_7_2_2_corruptDeflateData_is1002() {
        PerMessageDeflate pmd = PerMessageDeflate.of(Role.CLIENT, NO_TAKEOVER, FULL_WINDOW);
        MessageAssembler a = new MessageAssembler(Role.CLIENT, EngineConfig.defaults(), pmd);
        assertThatThrownBy(() -> a.next(ByteBuffer.wrap(bytes("c1 04 ff ff ff ff"))))
                .isInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((ProtocolException) e).closeCode()).isEqualTo(1002));
        pmd.close();
    }

    @Test
    void rsv1WithoutNegotiatedDeflate_is1002() {
        MessageAssembler a = new MessageAssembler(Role.CLIENT, EngineConfig.defaults(), null);
        assertThatThrownBy(() -> a.next(ByteBuffer.wrap(bytes("c1 07 f2 48 cd c9 c9 07 00"))))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("RSV1");
    }

    @Test
    void rfc6455_10_4_decompressedSizeLimitIsExact() {
        for (boolean streaming : new boolean[] {false, true}) {
            for (int size : new int[] {1000, 1001}) {
                byte[] wire = compressedFrame(new byte[size], false);
                PerMessageDeflate pmd = PerMessageDeflate.of(Role.SERVER, NO_TAKEOVER, FULL_WINDOW);
                EngineConfig cfg = EngineConfig.defaults().withMaxMessageSize(1000).withMaxStreamedMessageSize(1000).withStreamChunkSize(64);
                MessageAssembler a = new MessageAssembler(Role.SERVER, cfg, pmd);
                a.setStreaming(streaming);
                if (size == 1000) {
                    List<Event> ev = Hex.feed(wire, Hex.Split.WHOLE, a::next);
                    int total = ev.stream().mapToInt(e -> e instanceof Event.Binary b ? b.data().length
                            : e instanceof Event.StreamData d ? d.data().length : 0).sum();
                    assertThat(total).isEqualTo(1000);
                } else {
                    assertThatThrownBy(() -> Hex.feed(wire, Hex.Split.WHOLE, a::next)).isInstanceOf(ProtocolException.class)
                            .satisfies(e -> assertThat(((ProtocolException) e).closeCode()).isEqualTo(1009));
                }
                pmd.close();
            }
        }
    }

    @Test
    void streamingInflatesABigCompressedFrameInPiecesAndStillStopsABomb() {
        byte[] data = new byte[300_000];
        Random r = new Random(2);
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (r.nextInt(4) == 0 ? r.nextInt() : 'a');
        }
        byte[] wire = compressedFrame(data, false);
        EngineConfig cfg = EngineConfig.defaults().withMaxFrameSize(1000).withStreamChunkSize(512);
        for (Hex.Split split : new Hex.Split[] {Hex.Split.WHOLE, Hex.Split.HALVES}) {
            PerMessageDeflate pmd = PerMessageDeflate.of(Role.SERVER, NO_TAKEOVER, FULL_WINDOW);
            MessageAssembler a = new MessageAssembler(Role.SERVER, cfg, pmd);
            a.setStreaming(true);
            byte[] got = MessageAssemblerTest.collectStream(Hex.feed(wire, split, a::next), false);
            assertThat(java.util.Arrays.equals(got, data)).as("%d bytes streamed, %d sent", got.length, data.length).isTrue();
            assertThat(pmd.holdsZlibState()).isFalse();
            pmd.close();
        }
        byte[] bomb = compressedFrame(new byte[50 << 20], false);
        PerMessageDeflate pmd = PerMessageDeflate.of(Role.SERVER, NO_TAKEOVER, FULL_WINDOW);
        MessageAssembler a = new MessageAssembler(Role.SERVER, cfg.withMaxStreamedMessageSize(1 << 20), pmd);
        a.setStreaming(true);
        ByteBuffer in = ByteBuffer.wrap(bomb);
        assertThatThrownBy(() -> { while (a.next(in) != null) { /* drain */ } }).isInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((ProtocolException) e).closeCode()).isEqualTo(1009));
        pmd.close();
    }

    @Test
    void pooledZlibStateIsReused() {
        PerMessageDeflate a = PerMessageDeflate.of(Role.SERVER, NO_TAKEOVER, ALWAYS);
        a.compress(new byte[100], 0, 100, true);
        a.close();
        int idle = ZlibPool.idleCount();
        assertThat(idle).isPositive();
        PerMessageDeflate b = PerMessageDeflate.of(Role.SERVER, NO_TAKEOVER, ALWAYS);
        b.compress(new byte[100], 0, 100, false); // mid-message: holds a deflater from the pool
        assertThat(b.holdsZlibState()).isTrue();
        assertThat(ZlibPool.idleCount()).isLessThanOrEqualTo(idle);
        b.close();
        assertThat(b.holdsZlibState()).isFalse();
    }
}
