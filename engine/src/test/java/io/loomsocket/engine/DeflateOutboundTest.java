package io.loomsocket.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

/**
 * The outbound cost controls of {@link PerMessageDeflate#compressMessage}: incompressible messages
 * go uncompressed (RSV1 clear, RFC 7692 §6) without context takeover, the probe writes the rest of
 * an incompressible message as stored blocks, the Deflater always leaves at the configured level,
 * and the inflate buffer's first size.
 */
class DeflateOutboundTest {

    /** zlib's own 15-bit window both ways, no context kept unless a test turns it on. */
    static final DeflateConfig FULL_WINDOW = DeflateConfig.DEFAULT.withWindowBits(15).withPeerWindowBits(15)
            .withContextTakeover(false).withPeerContextTakeover(false);

    static final DeflateParams NO_TAKEOVER = PerMessageDeflateTest.NO_TAKEOVER;
    static final DeflateParams TAKEOVER = PerMessageDeflateTest.TAKEOVER;

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Words from a small vocabulary, like the bench's payload: compresses about 4:1. */
    static byte[] text(int n, long seed) {
        String[] words = {"loom", "socket", "frame", "echo", "{\"id\":", "\"room\":\"lobby\"", "the", "of", "42", "true"};
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder(n + 16);
        while (sb.length() < n) {
            sb.append(words[r.nextInt(words.length)]).append(' ');
        }
        return sb.substring(0, n).getBytes(StandardCharsets.US_ASCII);
    }

    /** What a fresh raw Deflater at {@code level} makes of {@code data}, flushed as compressMessage flushes. */
    static byte[] reference(int level, byte[] data) {
        Deflater d = new Deflater(level, true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[data.length * 2 + 64];
        if (data.length >= PerMessageDeflate.PROBE_MIN_MESSAGE) {
            d.setInput(data, 0, PerMessageDeflate.PROBE_BYTES);
            out.write(buf, 0, d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH));
            d.setInput(data, PerMessageDeflate.PROBE_BYTES, data.length - PerMessageDeflate.PROBE_BYTES);
        } else {
            d.setInput(data);
        }
        out.write(buf, 0, d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH));
        d.end();
        byte[] all = out.toByteArray();
        return Arrays.copyOf(all, all.length - 4); // without 00 00 ff ff (RFC 7692 §7.2.1)
    }

    static byte[] inflate(Inflater inf, byte[] payload, int expected) throws Exception {
        inf.setInput(Hex.concat(payload, PerMessageDeflate.TAIL));
        byte[] out = new byte[expected + 1];
        int n = 0;
        while (n < out.length) {
            int k = inf.inflate(out, n, out.length - n);
            if (k == 0) {
                break;
            }
            n += k;
        }
        return Arrays.copyOf(out, n);
    }

    /** One server frame (unmasked): [rsv1, payload]. */
    record WireFrame(boolean rsv1, byte[] payload) {}

    static List<WireFrame> serverFrames(PerMessageDeflate pmd, byte[]... messages) {
        MessageEncoder enc = new MessageEncoder(Role.SERVER, pmd, null);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(1000);
        for (byte[] m : messages) {
            enc.startBinary(m, 0, m.length);
            while (!enc.encode(buf)) {
                wire.write(buf.array(), 0, buf.position());
                buf.clear();
            }
        }
        wire.write(buf.array(), 0, buf.position());
        ByteBuffer w = ByteBuffer.wrap(wire.toByteArray());
        List<WireFrame> frames = new ArrayList<>();
        while (w.hasRemaining()) {
            int b0 = w.get() & 0xFF;
            long len = w.get() & 0x7F;
            len = len == 126 ? w.getShort() & 0xFFFF : len == 127 ? w.getLong() : len;
            byte[] p = new byte[(int) len];
            w.get(p);
            frames.add(new WireFrame((b0 & 0x40) != 0, p));
        }
        return frames;
    }

    @Test
    void withoutContextTakeoverIncompressibleMessagesGoUncompressed_rfc7692_6() {
        DeflateConfig cfg = FULL_WINDOW;
        byte[] small = random(PerMessageDeflate.PROBE_MIN_MESSAGE - 1, 1); // below the probe: compressed whatever it gives
        byte[] big = random(40_000, 2);    // probed, rest stored: not smaller → as is
        byte[] words = text(20_000, 3);
        PerMessageDeflate pmd = PerMessageDeflate.of(Role.SERVER, NO_TAKEOVER, cfg);
        List<WireFrame> frames = serverFrames(pmd, small, words, big, words);
        assertThat(frames).hasSize(4);
        assertThat(frames.get(0).rsv1()).isTrue();
        assertThat(frames.get(0).payload()).isEqualTo(reference(cfg.compressionLevel(), small));
        assertThat(frames.get(2).rsv1()).isFalse();
        assertThat(frames.get(2).payload()).isEqualTo(big);
        for (int i : new int[] {1, 3}) { // compressible: compressed exactly as a fresh Deflater at the level would
            assertThat(frames.get(i).rsv1()).isTrue();
            assertThat(frames.get(i).payload()).isEqualTo(reference(cfg.compressionLevel(), words));
        }
        assertThat(pmd.holdsZlibState()).isFalse();
        pmd.close();
    }

    @Test
    void theProbeStoresTheRestOfAnIncompressibleMessageAndTheLevelComesBack() throws Exception {
        for (int level : new int[] {1, 6, 9}) {
            DeflateConfig cfg = FULL_WINDOW.withContextTakeover(true).withCompressionLevel(level);
            PerMessageDeflate pmd = PerMessageDeflate.of(Role.SERVER, TAKEOVER, cfg);
            assertThat(pmd.outboundContextTakeover()).isTrue();
            byte[] noise = random(50_000, level);
            byte[] c = pmd.compressMessage(noise, 0, noise.length);
            // with context takeover it must go compressed (the window has it), and the part after
            // the probe is stored: the bytes appear verbatim in the stream
            assertThat(c).isNotNull();
            byte[] tail = Arrays.copyOfRange(noise, PerMessageDeflate.PROBE_BYTES + 100, PerMessageDeflate.PROBE_BYTES + 1100);
            assertThat(indexOf(c, tail)).as("level %d: stored after the probe", level).isPositive();
            assertThat(c.length).isLessThan(noise.length + noise.length / 100);

            byte[] words = text(20_000, level);
            byte[] c2 = pmd.compressMessage(words, 0, words.length);
            assertThat(c2.length).as("level %d restored for the next message", level).isLessThan(words.length / 3);

            Inflater inf = new Inflater(true); // the peer keeps its window too (§7.2.3.2)
            assertThat(inflate(inf, c, noise.length)).isEqualTo(noise);
            assertThat(inflate(inf, c2, words.length)).isEqualTo(words);
            inf.end();
            pmd.close();
        }
    }

    @Test
    void pooledDeflatersGoBackAtTheirLevelAfterAStoredMessage() {
        for (int level : new int[] {1, 6}) {
            DeflateConfig cfg = FULL_WINDOW.withCompressionLevel(level).withPoolSize(64);
            byte[] words = text(12_000, 7);
            for (int round = 0; round < 3; round++) { // the pool hands the same Deflaters out again
                PerMessageDeflate a = PerMessageDeflate.of(Role.SERVER, NO_TAKEOVER, cfg);
                assertThat(a.compressMessage(random(9000, round), 0, 9000)).isNull(); // probed, stored, not smaller
                assertThat(a.compressMessage(words, 0, words.length)).isEqualTo(reference(level, words));
                a.close();
            }
        }
    }

    @Test
    void mixedMessagesRoundTripInEveryMode() {
        List<byte[]> messages = new ArrayList<>();
        int[] sizes = {PerMessageDeflate.PROBE_BYTES - 1, PerMessageDeflate.PROBE_BYTES, PerMessageDeflate.PROBE_MIN_MESSAGE - 1,
            PerMessageDeflate.PROBE_MIN_MESSAGE, PerMessageDeflate.PROBE_MIN_MESSAGE + 1, 70_000};
        for (int s : sizes) {
            messages.add(random(s, s));
            messages.add(text(s, s));
            byte[] half = text(s, s + 1); // compressible head, random tail: the probe says compress
            System.arraycopy(random(s / 2, s), 0, half, s - s / 2, s / 2);
            messages.add(half);
            byte[] head = random(s, s + 2); // random head, text tail: the probe says store
            System.arraycopy(text(s / 2, s), 0, head, s - s / 2, s / 2);
            messages.add(head);
        }
        List<Event> expected = messages.stream().map(m -> (Event) new Event.Binary(m)).toList();
        for (DeflateParams params : List.of(NO_TAKEOVER, TAKEOVER)) {
            DeflateConfig cfg = FULL_WINDOW.withContextTakeover(params == TAKEOVER);
            assertThat(PerMessageDeflateTest.roundTrip(params, cfg, false, messages, false)).as("%s", params)
                    .containsExactlyElementsOf(expected);
        }
    }

    @Test
    void theFirstInflateBufferIsSizedFromTheCompressedLengthAndBounded() {
        assertThat(PerMessageDeflate.firstInflateBuffer(0, 1 << 20)).isEqualTo(256);
        assertThat(PerMessageDeflate.firstInflateBuffer(3000, 1 << 20)).isEqualTo(3000 * PerMessageDeflate.INFLATE_RATIO_GUESS);
        assertThat(PerMessageDeflate.firstInflateBuffer(1 << 20, 1 << 30)).isEqualTo(PerMessageDeflate.INFLATE_FIRST_BUFFER_MAX);
        assertThat(PerMessageDeflate.firstInflateBuffer(3000, 1000)).isEqualTo(1001); // the limit + 1 for the bomb check
        assertThat(PerMessageDeflate.firstInflateBuffer(Integer.MAX_VALUE, Long.MAX_VALUE)).isEqualTo(PerMessageDeflate.INFLATE_FIRST_BUFFER_MAX);
    }

    @Test
    void wholeMessagesInflateExactlyWhateverTheFirstBufferGuess() {
        // ratios far above and below the guess, and a message exactly at the limit
        for (byte[] m : List.of(new byte[100_000], text(16_384, 1), random(5000, 1), new byte[1 << 20])) {
            byte[] wire = PerMessageDeflateTest.compressedFrame(m, false);
            PerMessageDeflate pmd = PerMessageDeflate.of(Role.SERVER, NO_TAKEOVER, FULL_WINDOW);
            MessageAssembler a = new MessageAssembler(Role.SERVER, EngineConfig.defaults(), pmd);
            List<Event> ev = Hex.feed(wire, Hex.Split.WHOLE, a::next);
            assertThat(ev).containsExactly(new Event.Binary(m));
            pmd.close();
        }
    }

    static String answer(DeflateConfig cfg, String offer) {
        DeflateParams p = DeflateParams.negotiateServer(Extension.parse(List.of(offer)), cfg);
        return p == null ? "" : p.toHeaderValue();
    }

    @Test
    void peerContextTakeoverLetsTheClientKeepItsContextUnlessItOffersNot_rfc7692_7_1_1_2() {
        DeflateConfig peer = FULL_WINDOW.withPeerContextTakeover(true);
        assertThat(FULL_WINDOW.peerContextTakeover()).isFalse();
        assertThat(answer(FULL_WINDOW, "permessage-deflate"))
                .isEqualTo("permessage-deflate; server_no_context_takeover; client_no_context_takeover");
        assertThat(answer(peer, "permessage-deflate")).isEqualTo("permessage-deflate; server_no_context_takeover");
        assertThat(answer(peer, "permessage-deflate; client_max_window_bits")).isEqualTo("permessage-deflate; server_no_context_takeover");
        assertThat(answer(peer, "permessage-deflate; client_no_context_takeover"))
                .isEqualTo("permessage-deflate; server_no_context_takeover; client_no_context_takeover");
        assertThat(answer(peer.withContextTakeover(true), "permessage-deflate")).isEqualTo("permessage-deflate");
    }

    @Test
    void withPeerContextTakeoverTheServerInflatesBackReferencesAcrossMessagesAndStillSendsWithoutContext() throws Exception {
        DeflateConfig cfg = FULL_WINDOW.withPeerContextTakeover(true);
        DeflateParams params = DeflateParams.negotiateServer(Extension.parse(List.of("permessage-deflate")), cfg);
        PerMessageDeflate server = PerMessageDeflate.of(Role.SERVER, params, cfg);
        assertThat(server.inboundContextTakeover()).isTrue();
        assertThat(server.outboundContextTakeover()).isFalse();
        // the client (a plain zlib stream with context, like Netty's default client) sends the same message twice
        byte[] words = text(16_384, 9);
        Deflater client = new Deflater(6, true);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        byte[] buf = new byte[40_000];
        int[] sizes = new int[2];
        for (int i = 0; i < 2; i++) {
            client.setInput(words);
            int n = client.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            sizes[i] = n - 4;
            wire.writeBytes(MessageAssemblerTest.wire(new Frame(true, true, false, false, OpCode.BINARY, Arrays.copyOf(buf, n - 4))));
        }
        client.end();
        assertThat(sizes[1]).as("the second message refers back into the first").isLessThan(sizes[0] / 2);
        MessageAssembler a = new MessageAssembler(Role.SERVER, EngineConfig.defaults(), server);
        List<Event> ev = Hex.feed(wire.toByteArray(), Hex.Split.HALVES, a::next);
        assertThat(ev).containsExactly(new Event.Binary(words), new Event.Binary(words));
        assertThat(server.holdsZlibState()).as("the inflater is the connection's now").isTrue();
        // outbound still resets: the same message compresses to the same bytes twice
        byte[] c1 = server.compressMessage(words, 0, words.length);
        byte[] c2 = server.compressMessage(words, 0, words.length);
        assertThat(c2).isEqualTo(c1);
        server.close();
        assertThat(server.holdsZlibState()).isFalse();
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
