package io.loomsocket.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The small value types: close codes, opcodes, headers, extension syntax, exceptions, config. */
class ValuesTest {

    @Test
    void rfc6455_7_4_closeCodeRanges() {
        for (int c = 0; c < 70000; c++) {
            boolean expected = (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);
            assertThat(CloseCode.isValidReceived(c)).as("%d", c).isEqualTo(expected);
            assertThat(CloseCode.isValidToSend(c)).as("%d", c).isEqualTo(expected);
        }
        assertThat(CloseCode.name(1009)).isEqualTo("MESSAGE_TOO_BIG");
        assertThat(CloseCode.name(4001)).isEqualTo("PRIVATE(4001)");
        assertThat(CloseCode.name(2000)).isEqualTo("INVALID(2000)");
    }

    @Test
    void rfc6455_5_2_opcodes() {
        for (int op = 0; op < 16; op++) {
            assertThat(OpCode.isKnown(op)).isEqualTo(op <= 2 || (op >= 8 && op <= 10));
            assertThat(OpCode.isControl(op)).isEqualTo(op >= 8);
            assertThat(OpCode.isData(op)).isEqualTo(op <= 2);
        }
        assertThat(OpCode.name(0xA)).isEqualTo("PONG");
        assertThat(OpCode.name(0x3)).isEqualTo("RESERVED(0x3)");
    }

    @Test
    void protocolExceptionCarriesASendableCodeAndAShortReason() {
        ProtocolException e = new ProtocolException(1009, "é".repeat(100));
        assertThat(e.closeCode()).isEqualTo(1009);
        assertThat(e.closeReason().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(123);
        assertThat(e.closeReason()).isEqualTo("é".repeat(61));
        assertThat(new ProtocolException(1002, "😀".repeat(40)).closeReason()).isEqualTo("😀".repeat(30));
        assertThatThrownBy(() -> new ProtocolException(1006, "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void headersAreCaseInsensitiveOrderedMultiMaps() {
        HttpHeaders h = new HttpHeaders().add("Connection", "keep-alive").add("connection", " Upgrade ,, x").add("Host", "a");
        assertThat(h.getAll("CONNECTION")).containsExactly("keep-alive", " Upgrade ,, x");
        assertThat(h.tokens("Connection")).containsExactly("keep-alive", "Upgrade", "x");
        assertThat(h.containsToken("connection", "upgrade")).isTrue();
        assertThat(h.containsToken("connection", "upgrad")).isFalse();
        assertThat(h.size()).isEqualTo(3);
        assertThat(h.names()).containsExactly("Connection", "Host");
        h.set("CONNECTION", "close");
        assertThat(h.get("connection")).isEqualTo("close");
        assertThat(h.size()).isEqualTo(2);
        assertThat(h.remove("nope")).isFalse();
        assertThat(h.toString()).isEqualTo("Host: a\r\nCONNECTION: close\r\n");
        assertThat(new HttpHeaders(h).toMap()).isEqualTo(h.toMap());
        assertThatThrownBy(() -> h.add("X", null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void rfc6455_9_1_extensionGrammar() {
        List<Extension> e = Extension.parse(List.of("permessage-deflate; client_max_window_bits; server_max_window_bits=\"10\" , x-foo",
                "bar;a=b"));
        assertThat(e).hasSize(3);
        assertThat(e.get(0).name()).isEqualTo("permessage-deflate");
        assertThat(e.get(0).params()).containsExactly(new Extension.Param("client_max_window_bits", null),
                new Extension.Param("server_max_window_bits", "10"));
        assertThat(e.get(2).toString()).isEqualTo("bar; a=b");
        assertThat(Extension.parse(List.of("", " , "))).isEmpty();
    }

    @Test
    void configsValidateAndDefaultSafely() {
        EngineConfig d = EngineConfig.defaults();
        assertThat(d.maxMessageSize()).isEqualTo(1048576);
        assertThat(d.maxFrameSize()).isEqualTo(1048576);
        assertThat(d.deflate()).isEqualTo(DeflateConfig.DEFAULT);
        assertThat(DeflateConfig.DEFAULT.contextTakeover()).isTrue();
        assertThat(DeflateConfig.DEFAULT.peerContextTakeover()).isTrue();
        assertThatThrownBy(() -> DeflateConfig.DEFAULT.withWindowBits(7)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeflateConfig.DEFAULT.withPeerWindowBits(8)).isInstanceOf(IllegalArgumentException.class);
        assertThat(DeflateConfig.DEFAULT.threshold()).isEqualTo(128);
        assertThatThrownBy(() -> d.withMaxFrameSize(124)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeflateConfig.DEFAULT.withCompressionLevel(10)).isInstanceOf(IllegalArgumentException.class);
        assertThat(DeflateConfig.DEFAULT.withCompressionLevel(-1).compressionLevel()).isEqualTo(6);
        assertThatThrownBy(() -> new DeflateParams(false, false, 16, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void framesCompareByContent() {
        assertThat(Frame.binary(new byte[] {1})).isEqualTo(Frame.binary(new byte[] {1})).hasSameHashCodeAs(Frame.binary(new byte[] {1}));
        assertThat(Frame.binary(new byte[] {1})).isNotEqualTo(Frame.of(OpCode.TEXT, new byte[] {1}));
        assertThat(Frame.text("hi").toString()).isEqualTo("Frame[TEXT fin, 2 bytes]");
        assertThatThrownBy(() -> Frame.of(16, null)).isInstanceOf(IllegalArgumentException.class);
    }
}
