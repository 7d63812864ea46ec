package io.loomsocket.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 6455 §4.1 client handshake and RFC 7692 §7.1 response checks, plus a client↔server round trip. */
class ClientHandshakeTest {

    static ClientHandshake client(DeflateConfig deflate, String... protocols) {
        return new ClientHandshake("example.com:8080", "/chat?x=1", List.of(protocols), deflate,
                HttpHeaders.of("Origin", "http://example.com"), "dGhlIHNhbXBsZSBub25jZQ==");
    }

    static HttpHeaders response(String... extra) {
        HttpHeaders h = HttpHeaders.of("Upgrade", "websocket", "Connection", "Upgrade",
                "Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        for (int i = 0; i < extra.length; i += 2) {
            h.add(extra[i], extra[i + 1]);
        }
        return h;
    }

    @Test
    void rfc6455_4_1_requestCarriesEveryRequiredHeader() {
        ClientHandshake c = client(DeflateConfig.DEFAULT, "chat", "superchat");
        String req = new String(c.requestBytes(), StandardCharsets.ISO_8859_1);
        assertThat(req).startsWith("GET /chat?x=1 HTTP/1.1\r\nHost: example.com:8080\r\n").endsWith("\r\n\r\n")
                .contains("Upgrade: websocket\r\n", "Connection: Upgrade\r\n", "Sec-WebSocket-Version: 13\r\n",
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", "Sec-WebSocket-Protocol: chat, superchat\r\n",
                        "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=12; client_max_window_bits, "
                                + "permessage-deflate; client_max_window_bits\r\n",
                        "Origin: http://example.com\r\n");
    }

    @Test
    void rfc6455_4_1_keyIsRandomBase64Of16Bytes() {
        String a = ClientHandshake.newKey();
        assertThat(Base64.getDecoder().decode(a)).hasSize(16);
        assertThat(ClientHandshake.newKey()).isNotEqualTo(a);
        ClientHandshake c = new ClientHandshake("h", "/", List.of(), DeflateConfig.DISABLED, null);
        assertThat(Base64.getDecoder().decode(c.key())).hasSize(16);
        assertThat(c.requestHeaders().contains("Sec-WebSocket-Extensions")).isFalse();
    }

    @Test
    void extraHeadersMayNotReplaceHandshakeHeaders() {
        assertThatThrownBy(() -> new ClientHandshake("h", "/", List.of(), DeflateConfig.DEFAULT,
                HttpHeaders.of("sec-websocket-key", "x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClientHandshake("h", "/", List.of("a b"), DeflateConfig.DEFAULT, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rfc6455_4_1_validResponseIsAccepted() {
        ClientHandshake.Accepted a = client(DeflateConfig.DISABLED, "chat").validate(101, response("Sec-WebSocket-Protocol", "chat"));
        assertThat(a.subprotocol()).isEqualTo("chat");
        assertThat(a.deflate()).isNull();
        assertThat(client(DeflateConfig.DISABLED, "chat").validate(101, response()).subprotocol()).isNull();
    }

    @Test
    void rfc6455_4_1_non101StatusFails() {
        assertThatThrownBy(() -> client(DeflateConfig.DISABLED).validate(400, response()))
                .isInstanceOf(HandshakeException.class).satisfies(e -> assertThat(((HandshakeException) e).status()).isEqualTo(400));
    }

    @Test
    void rfc6455_4_1_wrongAcceptFails() {
        HttpHeaders h = response();
        h.set("Sec-WebSocket-Accept", ServerHandshake.acceptKey("AAAAAAAAAAAAAAAAAAAAAA=="));
        assertThatThrownBy(() -> client(DeflateConfig.DISABLED).validate(101, h)).hasMessageContaining("Accept");
        HttpHeaders none = response();
        none.remove("Sec-WebSocket-Accept");
        assertThatThrownBy(() -> client(DeflateConfig.DISABLED).validate(101, none)).isInstanceOf(HandshakeException.class);
    }

    @Test
    void rfc6455_4_1_missingUpgradeOrConnectionFails() {
        HttpHeaders h = response();
        h.remove("Upgrade");
        assertThatThrownBy(() -> client(DeflateConfig.DISABLED).validate(101, h)).hasMessageContaining("Upgrade");
        HttpHeaders c = response();
        c.set("Connection", "close");
        assertThatThrownBy(() -> client(DeflateConfig.DISABLED).validate(101, c)).hasMessageContaining("Connection");
    }

    @Test
    void rfc6455_4_1_unrequestedSubprotocolFails() {
        assertThatThrownBy(() -> client(DeflateConfig.DISABLED, "chat").validate(101, response("Sec-WebSocket-Protocol", "soap")))
                .hasMessageContaining("not offered");
        assertThatThrownBy(() -> client(DeflateConfig.DISABLED).validate(101, response("Sec-WebSocket-Protocol", "chat")))
                .hasMessageContaining("not offered");
        assertThatThrownBy(() -> client(DeflateConfig.DISABLED, "chat", "soap").validate(101, response("Sec-WebSocket-Protocol", "chat, soap")))
                .hasMessageContaining("not offered");
    }

    @Test
    void rfc6455_9_1_unrequestedExtensionFails() {
        assertThatThrownBy(() -> client(DeflateConfig.DISABLED).validate(101, response("Sec-WebSocket-Extensions", "permessage-deflate")))
                .hasMessageContaining("not offered");
        assertThatThrownBy(() -> client(DeflateConfig.DEFAULT).validate(101, response("Sec-WebSocket-Extensions", "x-foo")))
                .hasMessageContaining("not offered");
    }

    @Test
    void rfc7692_5_1_theClientOffersWindowBitsWithAFallbackAndFollowsTheAnswer() throws Exception {
        String req = new String(client(DeflateConfig.DEFAULT).requestBytes(), StandardCharsets.ISO_8859_1);
        assertThat(req).contains("Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=12; client_max_window_bits, "
                + "permessage-deflate; client_max_window_bits\r\n");
        String noCtx = new String(client(DeflateConfig.DEFAULT.withContextTakeover(false).withPeerContextTakeover(false)).requestBytes(),
                StandardCharsets.ISO_8859_1);
        assertThat(noCtx).contains("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_max_window_bits; "
                + "client_no_context_takeover, permessage-deflate; client_max_window_bits; client_no_context_takeover\r\n");
        String full = new String(client(DeflateConfig.DEFAULT.withPeerWindowBits(15)).requestBytes(), StandardCharsets.ISO_8859_1);
        assertThat(full).contains("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
        // a server that keeps its full window took the fallback: the client's Inflater keeps it too
        ClientHandshake.Accepted a = client(DeflateConfig.DEFAULT).validate(101,
                response("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits=9"));
        assertThat(a.deflate()).isEqualTo(new DeflateParams(false, false, 0, 9));
        try (PerMessageDeflate pmd = PerMessageDeflate.of(Role.CLIENT, a.deflate(), DeflateConfig.DEFAULT)) {
            assertThat(pmd.inboundContextTakeover()).isTrue();
            assertThat(pmd.inboundWindowBits()).isEqualTo(15);
            assertThat(pmd.outboundWindowBits()).as("§7.1.2.2: the client must honour the server's limit").isEqualTo(9);
        }
    }

    @Test
    void rfc7692_7_1_responseParametersAreChecked() {
        ClientHandshake.Accepted a = client(DeflateConfig.DEFAULT).validate(101,
                response("Sec-WebSocket-Extensions", "permessage-deflate; server_no_context_takeover; server_max_window_bits=10"));
        assertThat(a.deflate()).isEqualTo(new DeflateParams(true, false, 10, 0));
        for (String bad : new String[] {"permessage-deflate; client_max_window_bits", "permessage-deflate; client_max_window_bits=7",
                "permessage-deflate; server_max_window_bits=16", "permessage-deflate; foo",
                "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
                "permessage-deflate, permessage-deflate"}) {
            assertThatThrownBy(() -> client(DeflateConfig.DEFAULT).validate(101, response("Sec-WebSocket-Extensions", bad)))
                    .as(bad).isInstanceOf(HandshakeException.class);
        }
    }

    @Test
    void clientAndServerAgree() {
        ClientHandshake c = new ClientHandshake("localhost", "/", List.of("b", "a"), DeflateConfig.DEFAULT, null);
        ServerHandshake s = new ServerHandshake(List.of("a", "b"), DeflateConfig.DEFAULT);
        ServerHandshake.Accept acc = (ServerHandshake.Accept) s.handshake("GET", "HTTP/1.1", c.requestHeaders());
        ClientHandshake.Accepted got = c.validate(101, acc.responseHeaders());
        assertThat(got.subprotocol()).isEqualTo("b");
        assertThat(got.deflate()).isEqualTo(acc.deflate()).isEqualTo(new DeflateParams(false, false, 12, 12));
        assertThat(got.extensions()).isEqualTo(acc.extensions());
    }
}
