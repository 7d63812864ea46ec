package io.loomsocket.interop.conformance;

import static io.loomsocket.interop.raw.RawFrame.BINARY;
import static io.loomsocket.interop.raw.RawFrame.CONTINUATION;
import static io.loomsocket.interop.raw.RawFrame.PING;
import static io.loomsocket.interop.raw.RawFrame.TEST_MASK;
import static io.loomsocket.interop.raw.RawFrame.TEXT;
import static io.loomsocket.interop.raw.RawFrame.client;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.interop.raw.Deflate;
import io.loomsocket.interop.raw.RawClient;
import io.loomsocket.interop.raw.RawFrame;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 7692 permessage-deflate: negotiation under every parameter combination (§7.1), then
 * compressed traffic with and without context takeover (§7.2), checked with java.util.zip.
 */
class DeflateConformanceTest extends ConformanceBase {

    static final String PMD = "permessage-deflate";

    /** Parameters of the accepted permessage-deflate response, or null when declined. */
    static Map<String, String> accepted(RawClient c) {
        String h = c.response().headers().get("Sec-WebSocket-Extensions");
        if (h == null) return null;
        String[] parts = h.split(";");
        assertThat(parts[0].trim()).as("only permessage-deflate was offered: %s", h).isEqualTo(PMD);
        assertThat(h).as("exactly one extension in the response").doesNotContain(",");
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].trim().split("=", 2);
            assertThat(params.put(kv[0].trim(), kv.length > 1 ? kv[1].trim().replace("\"", "") : ""))
                .as("§7.1: parameter %s at most once", kv[0]).isNull();
        }
        return params;
    }

    /**
     * Every combination a client can offer (§7.1.1, §7.1.2): no parameter, either or both
     * no-context-takeover flags, client_max_window_bits with and without a value, and
     * server_max_window_bits at both ends of its range.
     */
    @ParameterizedTest(name = "§7.1 offer \"{0}\": a valid response, then compressed echoes")
    @ValueSource(strings = {
        "", "; client_no_context_takeover", "; server_no_context_takeover",
        "; client_no_context_takeover; server_no_context_takeover", "; client_max_window_bits",
        "; client_max_window_bits=15", "; client_max_window_bits=9", "; client_max_window_bits=8",
        "; server_max_window_bits=15", "; server_max_window_bits=10", "; server_max_window_bits=8",
        "; server_no_context_takeover; client_max_window_bits", "; client_no_context_takeover; server_max_window_bits=15",
        "; server_max_window_bits=10, permessage-deflate", "; server_max_window_bits=12; client_max_window_bits=12"})
    void negotiateAndEcho(String offer) throws IOException, DataFormatException {
        org.junit.jupiter.api.Assumptions.assumeTrue(target.isLoomsocket() || !offer.contains("server_max_window_bits=8"),
            "python-websockets 10.4 answers 500 to server_max_window_bits=8");
        try (RawClient c = echo("Sec-WebSocket-Extensions: " + PMD + offer)) {
            String firstOffer = offer.split(",")[0];
            Map<String, String> p = accepted(c);
            if (p == null) {
                // declining is allowed only for a server_max_window_bits the server cannot honour (§7.1.2.1)
                assertThat(firstOffer).contains("server_max_window_bits");
                assertThat(offer).as("the fallback offer without parameters must be accepted").doesNotContain(",");
                c.echoText("declined, so plain");
                c.closeNormally();
                return;
            }
            // §7.1.2.2: client_max_window_bits only in answer to an offer of it, and within it
            if (p.containsKey("client_max_window_bits")) {
                assertThat(firstOffer.contains("client_max_window_bits") || offer.contains(",")).isTrue();
                int bits = Integer.parseInt(p.get("client_max_window_bits"));
                assertThat(bits).isBetween(8, 15);
                Matcher m = Pattern.compile("client_max_window_bits=(\\d+)").matcher(firstOffer);
                if (m.find()) assertThat(bits).isLessThanOrEqualTo(Integer.parseInt(m.group(1)));
            }
            // §7.1.2.1: server_max_window_bits no larger than offered
            Matcher m = Pattern.compile("server_max_window_bits=(\\d+)").matcher(firstOffer);
            if (m.find() && !offer.contains(",")) {
                assertThat(p).containsKey("server_max_window_bits");
                assertThat(Integer.parseInt(p.get("server_max_window_bits"))).isLessThanOrEqualTo(Integer.parseInt(m.group(1)));
            }
            // §7.1.1.1: the server must honour server_no_context_takeover when offered
            if (firstOffer.contains("server_no_context_takeover") && !offer.contains(",")) {
                assertThat(p).containsKey("server_no_context_takeover");
            }
            boolean clientTakeover = !p.containsKey("client_no_context_takeover") && !p.containsKey("client_max_window_bits");
            boolean serverTakeover = !p.containsKey("server_no_context_takeover");
            // a 256-byte window barely holds the 240-byte message: the echo refers back only in part
            boolean tinyWindow = "8".equals(p.get("server_max_window_bits"));
            exchange(c, clientTakeover, serverTakeover, target.isLoomsocket(), tinyWindow);
            c.closeNormally();
        }
    }

    /**
     * Sends the same compressible message three times and checks every echo. Without client
     * context takeover (or with a reduced client window) each message is compressed alone; with
     * it, the 2nd and 3rd refer back to the 1st, so the server must have kept its inflater window.
     */
    static void exchange(RawClient c, boolean clientTakeover, boolean serverTakeover) throws IOException, DataFormatException {
        exchange(c, clientTakeover, serverTakeover, target.isLoomsocket());
    }

    /** {@code loomsocket}: the server is ours, so messages of 128 bytes and more must come back compressed. */
    static void exchange(RawClient c, boolean clientTakeover, boolean serverTakeover, boolean loomsocket)
            throws IOException, DataFormatException {
        exchange(c, clientTakeover, serverTakeover, loomsocket, false);
    }

    /**
     * {@code tinyWindow}: the server compresses within 256 bytes, so its 2nd echo need only be
     * smaller than the 1st (an LZ77 window barely larger than the message).
     */
    static void exchange(RawClient c, boolean clientTakeover, boolean serverTakeover, boolean loomsocket, boolean tinyWindow)
            throws IOException, DataFormatException {
        String text = "permessage-deflate ✓ " + "the quick brown fox jumps over the lazy dog ".repeat(5);
        byte[] plain = utf8(text);
        assertThat(plain.length).as("short enough for a 256-byte window").isLessThan(256);
        Deflate ours = new Deflate();
        Deflate theirs = new Deflate();
        byte[][] echoes = new byte[3][];
        try {
            for (int i = 0; i < 3; i++) {
                if (!clientTakeover) ours.reset();
                byte[] compressed = ours.compress(plain);
                if (clientTakeover && i > 0) assertThat(compressed.length).as("back-references to the previous message").isLessThan(20);
                c.send(RawFrame.encode(true, 4, TEXT, compressed, TEST_MASK));
                RawFrame f = c.nextFromServer();
                assertThat(f.opcode()).isEqualTo(TEXT);
                assertThat(f.fin()).isTrue();
                byte[] got;
                if (f.rsv() == 4) {
                    if (!serverTakeover) theirs.reset();
                    got = theirs.decompress(f.payload());
                    echoes[i] = f.payload();
                } else {
                    assertThat(f.rsv()).isZero();
                    got = f.payload();
                }
                assertThat(new String(got, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(text);
            }
            if (!serverTakeover && echoes[0] != null && echoes[1] != null) {
                // §7.1.1.1: without server context takeover each message is compressed alone, so the same
                // message compresses to the same bytes every time
                assertThat(echoes[1]).isEqualTo(echoes[0]);
            }
            if (serverTakeover && echoes[0] != null && echoes[1] != null) {
                // §7.1.1: with context takeover the same message compresses to a back-reference
                assertThat(echoes[1].length).as("2nd echo refers back to the 1st").isLessThan(tinyWindow ? echoes[0].length : 20);
            }
            if (loomsocket) {
                assertThat(echoes[0]).as("loomsocket compresses messages of 128 bytes and more").isNotNull();
            }
        } finally {
            ours.end();
            theirs.end();
        }
    }

    @ParameterizedTest(name = "§7.1 invalid offer \"{0}\" is declined, the handshake still succeeds")
    @ValueSource(strings = {
        "; server_max_window_bits=7", "; server_max_window_bits=16", "; client_max_window_bits=7",
        "; client_max_window_bits=16", "; server_max_window_bits=abc", "; server_max_window_bits",
        "; server_no_context_takeover=1", "; client_no_context_takeover; client_no_context_takeover",
        "; unknown_parameter", "; server_max_window_bits=010"})
    void invalidOfferDeclined(String offer) throws IOException {
        try (RawClient c = echo("Sec-WebSocket-Extensions: " + PMD + offer)) {
            assertThat(c.response().headers().get("Sec-WebSocket-Extensions")).as("declined: %s", offer).isNull();
            // and compression is then off: RSV1 is a protocol error (§6 of RFC 6455)
            c.echoText("plain after a declined offer");
            c.send(RawFrame.encode(true, 4, TEXT, Deflate.compressOnce(utf8("not negotiated")), TEST_MASK));
            c.expectClose(1002);
        }
    }

    @Test
    @DisplayName("§7.1 an invalid first offer falls back to the valid second one")
    void fallbackOffer() throws IOException, DataFormatException {
        try (RawClient c = echo("Sec-WebSocket-Extensions: " + PMD + "; server_max_window_bits=7, " + PMD + "; client_no_context_takeover")) {
            Map<String, String> p = accepted(c);
            assertThat(p).isNotNull().containsKey("client_no_context_takeover");
            exchange(c, false, !p.containsKey("server_no_context_takeover"));
            c.closeNormally();
        }
    }

    /** Opens a connection with permessage-deflate and no context takeover either way. */
    static RawClient deflateNoTakeover() throws IOException {
        RawClient c = echo("Sec-WebSocket-Extensions: " + PMD + "; client_no_context_takeover; server_no_context_takeover");
        assertThat(accepted(c)).isNotNull();
        return c;
    }

    static void expectText(RawClient c, String text) throws IOException, DataFormatException {
        RawFrame f = c.nextFromServer();
        assertThat(f.opcode()).isEqualTo(TEXT);
        byte[] got = f.rsv() == 4 ? Deflate.decompressOnce(f.payload()) : f.payload();
        assertThat(new String(got, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(text);
    }

    @Test
    @DisplayName("§6.1 an uncompressed message (RSV1 clear) in a deflate session is fine")
    void uncompressedMessage() throws IOException, DataFormatException {
        try (RawClient c = deflateNoTakeover()) {
            c.send(RawFrame.clientText("not compressed"));
            expectText(c, "not compressed");
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§6.1 a compressed message in three fragments, RSV1 on the first only")
    void fragmentedCompressed() throws IOException, DataFormatException {
        try (RawClient c = deflateNoTakeover()) {
            String text = "fragmented and compressed ✓ ".repeat(20);
            byte[] z = Deflate.compressOnce(utf8(text));
            int a = z.length / 3, b = 2 * z.length / 3;
            c.send(RawFrame.encode(false, 4, TEXT, Arrays.copyOfRange(z, 0, a), TEST_MASK));
            c.send(client(true, PING, utf8("between")));
            expectFrame(c, true, RawFrame.PONG, utf8("between"));
            c.send(RawFrame.encode(false, 0, CONTINUATION, Arrays.copyOfRange(z, a, b), TEST_MASK));
            c.send(RawFrame.encode(true, 0, CONTINUATION, Arrays.copyOfRange(z, b, z.length), TEST_MASK));
            expectText(c, text);
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§6.1 RSV1 on a continuation frame: 1002")
    void rsv1OnContinuation() throws IOException {
        try (RawClient c = deflateNoTakeover()) {
            byte[] z = Deflate.compressOnce(utf8("hello hello hello"));
            c.send(RawFrame.encode(false, 4, TEXT, Arrays.copyOfRange(z, 0, 2), TEST_MASK));
            c.send(RawFrame.encode(true, 4, CONTINUATION, Arrays.copyOfRange(z, 2, z.length), TEST_MASK));
            c.expectClose(1002);
        }
    }

    @Test
    @DisplayName("§6.1 RSV1 on a control frame: 1002")
    void rsv1OnPing() throws IOException {
        try (RawClient c = deflateNoTakeover()) {
            c.send(RawFrame.encode(true, 4, PING, utf8("x"), TEST_MASK));
            c.expectClose(1002);
        }
    }

    @ParameterizedTest(name = "§6 RSV2/RSV3 (rsv={0}) stay reserved under permessage-deflate: 1002")
    @ValueSource(ints = {1, 2, 3, 5, 6})
    void otherRsvBits(int rsv) throws IOException {
        try (RawClient c = deflateNoTakeover()) {
            c.send(RawFrame.encode(true, rsv, TEXT, utf8("x"), TEST_MASK));
            c.expectClose(1002);
        }
    }

    @Test
    @DisplayName("§7.2.3.6 an empty compressed message (payload 0x00) decodes to an empty text")
    void emptyCompressedMessage() throws IOException, DataFormatException {
        try (RawClient c = deflateNoTakeover()) {
            c.send(RawFrame.encode(true, 4, TEXT, bytes(0x00), TEST_MASK));
            expectText(c, "");
            c.send(RawFrame.encode(true, 4, BINARY, Deflate.compressOnce(new byte[0]), TEST_MASK));
            RawFrame f = c.nextFromServer();
            assertThat(f.opcode()).isEqualTo(BINARY);
            assertThat(f.rsv() == 4 ? Deflate.decompressOnce(f.payload()) : f.payload()).isEmpty();
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§7.2.3.4 a message compressed with BFINAL set (a finished stream) is accepted")
    void bfinalMessage() throws IOException, DataFormatException {
        try (RawClient c = deflateNoTakeover()) {
            String text = "final block ✓ ".repeat(30);
            Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            d.setInput(utf8(text));
            d.finish();
            byte[] buf = new byte[4096];
            int n = d.deflate(buf);
            d.end();
            c.send(RawFrame.encode(true, 4, TEXT, Arrays.copyOf(buf, n), TEST_MASK));
            expectText(c, text);
            c.send(RawFrame.clientText("and the next message still works"));
            expectText(c, "and the next message still works");
            c.closeNormally();
        }
    }

    @Test
    @DisplayName("§7.2.2 corrupt DEFLATE data fails the connection (1002)")
    void corruptData() throws IOException {
        try (RawClient c = deflateNoTakeover()) {
            c.send(RawFrame.encode(true, 4, TEXT, bytes(0xff, 0xff, 0xff, 0xff, 0x00), TEST_MASK));
            // RFC 7692 names no code. The engine treats it as a protocol error (1002), as
            // python-websockets does; ws and Jetty send 1007. Either is defensible; this pins ours.
            c.expectClose(1002);
        }
    }

    @Test
    @DisplayName("§8.1 compressed text that inflates to invalid UTF-8: 1007")
    void compressedInvalidUtf8() throws IOException {
        try (RawClient c = deflateNoTakeover()) {
            c.send(RawFrame.encode(true, 4, TEXT, Deflate.compressOnce(bytes(0x41, 0xed, 0xa0, 0x80)), TEST_MASK));
            c.expectClose(1007);
        }
    }

    @Test
    @DisplayName("§7.2.2 a small frame that inflates beyond the message limit (a bomb): 1009")
    void decompressionBomb() throws IOException {
        try (RawClient c = deflateNoTakeover()) {
            byte[] bomb = Deflate.compressOnce(new byte[EchoTarget.MAX_MESSAGE_SIZE * 4]);
            assertThat(bomb.length).isLessThan(8192);
            c.send(RawFrame.encode(true, 4, BINARY, bomb, TEST_MASK));
            c.expectClose(1009);
        }
    }

    @Test
    @DisplayName("§7.2.2 a message that inflates to exactly the limit is accepted")
    void inflatesToTheLimit() throws IOException, DataFormatException {
        try (RawClient c = deflateNoTakeover()) {
            byte[] plain = new byte[EchoTarget.MAX_MESSAGE_SIZE];
            Arrays.fill(plain, (byte) 'z');
            c.send(RawFrame.encode(true, 4, BINARY, Deflate.compressOnce(plain), TEST_MASK));
            RawFrame f = c.nextFromServer();
            assertThat(f.opcode()).isEqualTo(BINARY);
            assertThat(f.rsv() == 4 ? Deflate.decompressOnce(f.payload()) : f.payload()).isEqualTo(plain);
            c.closeNormally();
        }
    }
}
