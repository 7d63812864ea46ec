package io.loomsocket.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 7692 §7.1.2: every LZ77 window size 8..15 is honoured when compressing (checked by a decoder
 * that rejects any back-reference beyond the window, which zlib itself does not check within one
 * call) and when decompressing with context takeover, with and without it, whole and fragmented.
 */
class DeflateWindowTest {

    static final DeflateConfig OWN_15 = DeflateConfig.DEFAULT.withWindowBits(15);

    /** Text-like, random and repetitive messages at the frame size boundaries and around the window sizes. */
    static List<byte[]> messages() {
        List<byte[]> m = new ArrayList<>();
        int i = 0;
        for (int size : new int[] {0, 1, 125, 126, 127, 255, 256, 257, 511, 512, 1000, 4096, 5000, 65_535, 65_536}) {
            m.add(DeflateOutboundTest.text(size, i));
            m.add(DeflateOutboundTest.random(size, i));
            byte[] rep = new byte[size];
            for (int k = 0; k < size; k++) {
                rep[k] = (byte) "abcabcabd".charAt(k % 9);
            }
            m.add(rep);
            m.add(DeflateOutboundTest.text(size, i)); // the same text again: context takeover pays
            i++;
        }
        return m;
    }

    @ParameterizedTest(name = "server_max_window_bits={0}")
    @ValueSource(ints = {8, 9, 10, 11, 12, 13, 14, 15})
    void rfc7692_7_1_2_1_theCompressorNeverReachesBeyondTheNegotiatedWindow(int bits) {
        for (boolean takeover : new boolean[] {false, true}) {
            for (boolean fragmented : new boolean[] {false, true}) {
                DeflateParams params = new DeflateParams(!takeover, false, bits, 0);
                PerMessageDeflate pmd = PerMessageDeflate.of(Role.SERVER, params, OWN_15.withContextTakeover(takeover));
                assertThat(pmd.outboundWindowBits()).isEqualTo(bits);
                StrictInflater peer = new StrictInflater(1 << bits);
                for (byte[] m : messages()) {
                    byte[] payload = fragmented ? compressFragmented(pmd, m) : pmd.compressMessage(m, 0, m.length);
                    if (payload == null) {
                        continue; // sent uncompressed (RFC 7692 §6)
                    }
                    assertThat(peer.inflate(payload, takeover)).as("bits %d takeover %s size %d", bits, takeover, m.length)
                            .isEqualTo(m);
                }
                if (takeover) {
                    assertThat(peer.maxDistance).as("the window is used").isGreaterThan((1 << bits) / 4);
                }
                pmd.close();
            }
        }
    }

    @ParameterizedTest(name = "windowBits={0}")
    @ValueSource(ints = {8, 9, 10, 11, 12, 13, 14, 15})
    void theServersOwnWindowSettingLimitsItWhenTheClientOfferedNoLimit(int bits) {
        PerMessageDeflate pmd = PerMessageDeflate.of(Role.SERVER, new DeflateParams(false, false, 0, 0),
                DeflateConfig.DEFAULT.withWindowBits(bits));
        StrictInflater peer = new StrictInflater(1 << bits);
        for (byte[] m : messages()) {
            byte[] payload = pmd.compressMessage(m, 0, m.length);
            if (payload != null) {
                assertThat(peer.inflate(payload, true)).isEqualTo(m);
            }
        }
        pmd.close();
    }

    /**
     * RFC 7692 §6: a message may go uncompressed. Within a small window incompressible data comes
     * out larger than it went in (a flush per window reset), which would break a peer that bounds
     * frames by the message size: such a message goes uncompressed and stays out of the kept
     * window, so what follows still inflates on a peer whose context never saw it.
     */
    @Test
    void anIncompressibleMessageGoesUncompressedAndLeavesTheContextAlone() {
        int bits = DeflateConfig.DEFAULT_WINDOW_BITS;
        PerMessageDeflate pmd = PerMessageDeflate.of(Role.SERVER, new DeflateParams(false, false, bits, 0), OWN_15);
        StrictInflater peer = new StrictInflater(1 << bits);
        byte[] text = DeflateOutboundTest.text(3000, 5);
        assertThat(peer.inflate(pmd.compressMessage(text, 0, text.length), true)).isEqualTo(text);
        // a random block of one window repeated: every repeat lies at or beyond the window
        byte[] block = DeflateOutboundTest.random(1 << bits, 5);
        byte[] noise = new byte[1 << 20];
        for (int i = 0; i < noise.length; i += block.length) System.arraycopy(block, 0, noise, i, block.length);
        assertThat(pmd.compressMessage(noise, 0, noise.length)).as("sent uncompressed").isNull();
        byte[] again = pmd.compressMessage(text, 0, text.length);
        assertThat(again.length).as("still refers back to the text before the noise").isLessThan(text.length / 4);
        assertThat(peer.inflate(again, true)).isEqualTo(text);
        pmd.close();
    }

    @ParameterizedTest(name = "server_max_window_bits={0}")
    @ValueSource(ints = {8, 9, 10, 11, 12, 13, 14})
    void noCompressedMessageIsLargerThanTheMessage(int bits) {
        PerMessageDeflate pmd = PerMessageDeflate.of(Role.SERVER, new DeflateParams(false, false, bits, 0), OWN_15);
        StrictInflater peer = new StrictInflater(1 << bits);
        for (byte[] m : messages()) {
            byte[] payload = pmd.compressMessage(m, 0, m.length);
            if (payload != null) {
                assertThat(payload.length).as("size %d", m.length).isLessThanOrEqualTo(Math.max(m.length, 1));
                assertThat(peer.inflate(payload, true)).isEqualTo(m);
            }
        }
        pmd.close();
    }

    @Test
    void withContextTakeoverARepeatedMessageRefersBackToTheLastOneWithinTheWindow() {
        byte[] m = DeflateOutboundTest.text(1000, 3);
        // level 1 walks 4 entries of a hash chain: too few to find a whole repeat of this word salad
        PerMessageDeflate pmd = PerMessageDeflate.of(Role.SERVER, new DeflateParams(false, false, 0, 0),
                DeflateConfig.DEFAULT.withCompressionLevel(6));
        byte[] first = pmd.compressMessage(m, 0, m.length);
        byte[] second = pmd.compressMessage(m, 0, m.length);
        assertThat(second.length).isLessThan(first.length / 10);
        assertThat(pmd.holdsZlibState()).as("the Deflater went back to the pool").isFalse();
        assertThat(pmd.windowBytesHeld()).isEqualTo(2000);
        StrictInflater peer = new StrictInflater(1 << DeflateConfig.DEFAULT_WINDOW_BITS);
        assertThat(peer.inflate(first, true)).isEqualTo(m);
        assertThat(peer.inflate(second, true)).isEqualTo(m);
        pmd.close();
    }

    @ParameterizedTest(name = "client_max_window_bits={0}")
    @ValueSource(ints = {8, 9, 10, 11, 12, 13, 14, 15})
    void rfc7692_7_1_2_2_everyWindowRoundTripsThroughEncoderAndAssembler(int bits) {
        List<byte[]> messages = messages();
        List<Event> expected = messages.stream().map(b -> (Event) new Event.Binary(b)).toList();
        for (boolean takeover : new boolean[] {false, true}) {
            DeflateParams params = new DeflateParams(false, !takeover, 0, bits);
            for (boolean fragmented : new boolean[] {false, true}) {
                List<Event> got = PerMessageDeflateTest.roundTrip(params, OWN_15.withThreshold(0), false, messages, fragmented);
                assertThat(got).as("bits %d takeover %s fragmented %s", bits, takeover, fragmented).containsExactlyElementsOf(expected);
            }
        }
    }

    @Test
    void aPeerToldEightBitsMayUseNineAsZlibDoes() {
        // zlib cannot compress raw DEFLATE with a 256-byte window (zlib.h, deflateInit2), so a zlib-based
        // peer told 8 may use 9: a receiver that negotiated 8 keeps 512 bytes of context
        PerMessageDeflate sender = PerMessageDeflate.of(Role.CLIENT, new DeflateParams(false, false, 0, 9),
                OWN_15.withThreshold(0).withCompressionLevel(6));
        PerMessageDeflate receiver = PerMessageDeflate.of(Role.SERVER, new DeflateParams(false, false, 0, 8), OWN_15);
        // the third message repeats the first, 400 bytes back: within 512, beyond 256
        List<byte[]> sent = List.of(DeflateOutboundTest.text(200, 8), DeflateOutboundTest.random(200, 8), DeflateOutboundTest.text(200, 8));
        MessageEncoder enc = new MessageEncoder(Role.CLIENT, sender, MaskSource.fixed(7));
        MessageAssembler a = new MessageAssembler(Role.SERVER, EngineConfig.defaults(), receiver);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4096);
        for (byte[] m : sent) {
            enc.startBinary(m, 0, m.length);
            assertThat(enc.encode(buf)).isTrue();
        }
        wire.write(buf.array(), 0, buf.position());
        assertThat(wire.size()).as("the third message is a back-reference").isLessThan(200 + 230 + 30);
        List<Event> ev = Hex.feed(wire.toByteArray(), Hex.Split.WHOLE, a::next);
        assertThat(ev).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(((Event.Binary) ev.get(i)).data()).isEqualTo(sent.get(i));
        }
    }

    private static byte[] compressFragmented(PerMessageDeflate pmd, byte[] m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int off = 0;
        int step = 1;
        do {
            int n = Math.min(step, m.length - off);
            out.writeBytes(pmd.compress(m, off, n, off + n >= m.length));
            off += n;
            step = step * 5 + 3;
        } while (off < m.length);
        return out.toByteArray();
    }

    @Test
    void theWindowKeepsTheNewestBytes() {
        SlidingWindow w = new SlidingWindow(8);
        w.append("abc".getBytes(), 0, 3);
        w.append("defgh".getBytes(), 0, 5);
        w.append("ij".getBytes(), 0, 2);
        assertThat(w.length()).isEqualTo(8);
        java.util.zip.Inflater inf = new java.util.zip.Inflater(true);
        w.preset(inf); // accepted for raw inflate at any time
        inf.end();
        byte[] big = "0123456789".getBytes();
        w.append(big, 0, 10);
        assertThat(w.length()).isEqualTo(8);
        w.clear();
        assertThat(w.length()).isZero();
    }
}
