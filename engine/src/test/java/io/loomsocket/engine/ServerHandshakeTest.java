package io.loomsocket.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 6455 §4.2 server handshake rules and RFC 7692 §7.1 negotiation, one test per rule. */
class ServerHandshakeTest {

    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    static HttpHeaders valid() {
        return HttpHeaders.of("Host", "server.example.com", "Upgrade", "websocket", "Connection", "Upgrade",
                "Sec-WebSocket-Key", KEY, "Origin", "http://example.com", "Sec-WebSocket-Version", "13");
    }

    static ServerHandshake.Result shake(HttpHeaders h) {
        return new ServerHandshake(List.of("chat", "superchat"), DeflateConfig.DEFAULT).handshake("GET", "HTTP/1.1", h);
    }

    static ServerHandshake.Reject rejected(ServerHandshake.Result r, int status) {
        assertThat(r).isInstanceOf(ServerHandshake.Reject.class);
        ServerHandshake.Reject j = (ServerHandshake.Reject) r;
        assertThat(j.status()).isEqualTo(status);
        return j;
    }

    static ServerHandshake.Accept accepted(ServerHandshake.Result r) {
        assertThat(r).isInstanceOf(ServerHandshake.Accept.class);
        return (ServerHandshake.Accept) r;
    }

    @Test
    void rfc6455_1_3_acceptValueOfTheRfcExample() {
        assertThat(ServerHandshake.acceptKey(KEY)).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        ServerHandshake.Accept a = accepted(shake(valid()));
        assertThat(a.responseHeaders().get("sec-websocket-accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assertThat(a.responseHeaders().get("Upgrade")).isEqualTo("websocket");
        assertThat(a.responseHeaders().get("Connection")).isEqualTo("Upgrade");
        assertThat(a.subprotocol()).isNull();
        assertThat(a.deflate()).isNull();
        assertThat(new String(ServerHandshake.responseBytes(a), StandardCharsets.ISO_8859_1))
                .startsWith("HTTP/1.1 101 Switching Protocols\r\n").endsWith("\r\n\r\n")
                .contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n");
    }

    @Test
    void rfc6455_4_2_1_methodMustBeGet_is400() {
        assertThat(rejected(new ServerHandshake().handshake("POST", "HTTP/1.1", valid()), 400).reason()).contains("GET");
        rejected(new ServerHandshake().handshake("get", "HTTP/1.1", valid()), 400);
    }

    @Test
    void rfc6455_4_2_1_httpVersionMustBe11_is400() {
        rejected(new ServerHandshake().handshake("GET", "HTTP/1.0", valid()), 400);
        rejected(new ServerHandshake().handshake("GET", null, valid()), 400);
    }

    @Test
    void rfc6455_4_2_1_hostIsRequired_is400() {
        HttpHeaders h = valid();
        h.remove("Host");
        assertThat(rejected(shake(h), 400).reason()).contains("Host");
        h.add("Host", "a").add("Host", "b");
        rejected(shake(h), 400);
    }

    @Test
    void rfc6455_4_2_1_upgradeAndConnectionAreCaseInsensitiveTokenLists() {
        HttpHeaders h = valid();
        h.set("Upgrade", "foo/1, WebSocket");
        h.set("Connection", "keep-alive, UPGRADE");
        accepted(shake(h));
        h = valid();
        h.remove("Connection");
        h.add("Connection", "keep-alive").add("Connection", "upgrade");
        accepted(shake(h));
    }

    @Test
    void rfc6455_4_2_1_missingUpgradeOrConnection_is400() {
        HttpHeaders h = valid();
        h.set("Upgrade", "websocketx");
        assertThat(rejected(shake(h), 400).reason()).contains("Upgrade");
        h = valid();
        h.set("Connection", "keep-alive");
        assertThat(rejected(shake(h), 400).reason()).contains("Connection");
    }

    @Test
    void rfc6455_4_2_1_keyMustDecodeTo16Bytes_is400() {
        for (String bad : new String[] {"", "abc", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQ=!",
                "dGhlIHNhbXBsZSBub25jZSE=", "AAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
            HttpHeaders h = valid();
            h.set("Sec-WebSocket-Key", bad);
            assertThat(rejected(shake(h), 400).reason()).as(bad).contains("Sec-WebSocket-Key");
        }
        HttpHeaders twice = valid();
        twice.add("Sec-WebSocket-Key", KEY);
        rejected(shake(twice), 400);
    }

    /** The in-place key check agrees with decoding by the JDK on every kind of 24-character string. */
    @Test
    void rfc6455_4_2_1_keyCheckAgreesWithTheBase64Decoder() {
        java.util.Random random = new java.util.Random(0);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        String odd = "=-_.!~ \t\u00e9\u0100*";
        List<String> keys = new java.util.ArrayList<>(List.of(KEY, "AAAAAAAAAAAAAAAAAAAAAB==", "AAAAAAAAAAAAAAAAAAAAAA=A",
                "AAAAAAAAAAAAAAAAAAAAA===", "AAAAAAAAAAAAAAAAAAAAAAA=", "AAAAAAAAAAAAAAAAAAAA=AAA", "////////////////////++==",
                "dGhlIHNhbXBsZSBub25jZQ==\r", " dGhlIHNhbXBsZSBub25jZQ=", "dGhlIHNhbXBsZSBub25jZQ-=", "dGhlIHNhbXBsZSBub25jZ_=="));
        for (int n = 0; n < 20_000; n++) {
            char[] k = new char[n % 50 == 0 ? random.nextInt(30) : 24];
            for (int i = 0; i < k.length; i++) k[i] = alphabet.charAt(random.nextInt(alphabet.length()));
            if (k.length == 24 && random.nextBoolean()) {
                k[22] = '=';
                k[23] = '=';
            }
            for (int flips = random.nextInt(3); flips > 0 && k.length > 0; flips--) {
                k[random.nextInt(k.length)] = odd.charAt(random.nextInt(odd.length()));
            }
            keys.add(new String(k));
        }
        int valid = 0;
        for (String key : keys) {
            boolean decodes;
            try {
                decodes = key.length() == 24 && java.util.Base64.getDecoder().decode(key).length == 16;
            } catch (IllegalArgumentException e) {
                decodes = false;
            }
            assertThat(ServerHandshake.isValidKey(key)).as(key).isEqualTo(decodes);
            if (decodes) valid++;
        }
        assertThat(valid).as("valid keys among the samples").isGreaterThan(1000);
    }

    /** The accept value is base64(SHA-1(key + GUID)), as computed from the strings (RFC 6455 §4.2.2). */
    @Test
    void rfc6455_4_2_2_acceptKeyIsSha1OfKeyAndGuid() throws Exception {
        java.util.Random random = new java.util.Random(1);
        for (int n = 0; n < 200; n++) {
            byte[] raw = new byte[16];
            random.nextBytes(raw);
            String key = java.util.Base64.getEncoder().encodeToString(raw);
            byte[] sha1 = java.security.MessageDigest.getInstance("SHA-1")
                    .digest((key + ServerHandshake.GUID).getBytes(StandardCharsets.US_ASCII));
            assertThat(ServerHandshake.acceptKey(key)).isEqualTo(java.util.Base64.getEncoder().encodeToString(sha1));
        }
        // a client's key is not ours to validate (ClientHandshake checks its own): any text hashes as US-ASCII does
        String odd = "caf\u00e9 \u2028 key";
        byte[] sha1 = java.security.MessageDigest.getInstance("SHA-1")
                .digest((odd + ServerHandshake.GUID).getBytes(StandardCharsets.US_ASCII));
        assertThat(ServerHandshake.acceptKey(odd)).isEqualTo(java.util.Base64.getEncoder().encodeToString(sha1));
    }

    @Test
    void rfc6455_4_4_wrongOrMissingVersion_is426WithVersion13() {
        for (String v : new String[] {"8", "12", "14", "13, 8", ""}) {
            HttpHeaders h = valid();
            h.set("Sec-WebSocket-Version", v);
            ServerHandshake.Reject r = rejected(shake(h), 426);
            assertThat(r.responseHeaders().get("Sec-WebSocket-Version")).isEqualTo("13");
        }
        HttpHeaders h = valid();
        h.remove("Sec-WebSocket-Version");
        rejected(shake(h), 426);
    }

    @Test
    void rfc6455_4_2_2_subprotocolIsTheFirstClientOfferTheServerSupports() {
        HttpHeaders h = valid();
        h.add("Sec-WebSocket-Protocol", "soap, superchat").add("Sec-WebSocket-Protocol", "chat");
        ServerHandshake.Accept a = accepted(shake(h));
        assertThat(a.subprotocol()).isEqualTo("superchat");
        assertThat(a.responseHeaders().get("Sec-WebSocket-Protocol")).isEqualTo("superchat");
    }

    @Test
    void rfc6455_4_2_2_neverASubprotocolTheClientDidNotOffer() {
        HttpHeaders h = valid();
        h.add("Sec-WebSocket-Protocol", "soap, wamp");
        ServerHandshake.Accept a = accepted(shake(h));
        assertThat(a.subprotocol()).isNull();
        assertThat(a.responseHeaders().contains("Sec-WebSocket-Protocol")).isFalse();
        assertThat(accepted(shake(valid())).responseHeaders().contains("Sec-WebSocket-Protocol")).isFalse();
    }

    static String negotiate(DeflateConfig cfg, String... offers) {
        HttpHeaders h = valid();
        for (String o : offers) {
            h.add("Sec-WebSocket-Extensions", o);
        }
        ServerHandshake.Accept a = accepted(new ServerHandshake(List.of(), cfg).handshake("GET", "HTTP/1.1", h));
        assertThat(a.extensions()).isEqualTo(a.responseHeaders().get("Sec-WebSocket-Extensions") == null ? ""
                : a.responseHeaders().get("Sec-WebSocket-Extensions"));
        return a.extensions();
    }

    @Test
    void rfc7692_7_1_1_contextTakeoverBothWaysByDefaultAndNoContextOnRequest() {
        DeflateConfig d = DeflateConfig.DEFAULT;
        // a client that can be told a window keeps its context within peerWindowBits (§7.1.2.2)
        assertThat(negotiate(d, "permessage-deflate; client_max_window_bits")).isEqualTo("permessage-deflate; client_max_window_bits=12");
        // one that cannot keeps its context in a 15-bit window (§7.1.2.2), as with Netty's server:
        // asked for client_no_context_takeover, such clients compress every message from scratch
        assertThat(negotiate(d, "permessage-deflate")).isEqualTo("permessage-deflate");
        assertThat(negotiate(d.withPeerWindowBits(15), "permessage-deflate")).isEqualTo("permessage-deflate");
        // unless clients may keep no context at all
        assertThat(negotiate(d.withPeerContextTakeover(false), "permessage-deflate"))
                .isEqualTo("permessage-deflate; client_no_context_takeover");
        // §7.1.1.1: server_no_context_takeover is echoed; added when we keep no context
        assertThat(negotiate(d, "permessage-deflate; server_no_context_takeover; client_max_window_bits"))
                .isEqualTo("permessage-deflate; server_no_context_takeover; client_max_window_bits=12");
        assertThat(negotiate(d.withContextTakeover(false).withPeerContextTakeover(false), "permessage-deflate; client_max_window_bits"))
                .isEqualTo("permessage-deflate; server_no_context_takeover; client_no_context_takeover");
        assertThat(negotiate(d, "permessage-deflate; client_no_context_takeover"))
                .isEqualTo("permessage-deflate; client_no_context_takeover");
    }

    @Test
    void rfc7692_7_1_2_1_everyServerMaxWindowBitsIsHonouredWithTheSmallerOfOfferAndSetting() {
        for (int offered = 8; offered <= 15; offered++) {
            for (int own = 8; own <= 15; own++) {
                DeflateConfig cfg = DeflateConfig.DEFAULT.withWindowBits(own);
                assertThat(negotiate(cfg, "permessage-deflate; server_max_window_bits=" + offered + "; client_max_window_bits"))
                        .isEqualTo("permessage-deflate; server_max_window_bits=" + Math.min(own, offered) + "; client_max_window_bits=12");
            }
        }
        // not offered: the server still compresses within its own window, without saying so
        assertThat(negotiate(DeflateConfig.DEFAULT, "permessage-deflate; client_max_window_bits"))
                .doesNotContain("server_max_window_bits");
    }

    @Test
    void rfc7692_7_1_2_2_clientMaxWindowBitsIsAnsweredWithTheSmallerOfOfferAndSetting() {
        for (int offered = 8; offered <= 15; offered++) {
            for (int peer = 9; peer <= 15; peer++) {
                int bits = Math.min(offered, peer);
                assertThat(negotiate(DeflateConfig.DEFAULT.withPeerWindowBits(peer), "permessage-deflate; client_max_window_bits=" + offered))
                        .isEqualTo(bits == 15 ? "permessage-deflate" : "permessage-deflate; client_max_window_bits=" + bits);
            }
        }
        assertThat(negotiate(DeflateConfig.DEFAULT.withPeerWindowBits(15), "permessage-deflate; client_max_window_bits"))
                .isEqualTo("permessage-deflate");
    }

    @Test
    void rfc7692_5_1_severalOffersInOneHeaderTheFirstValidIsTaken() {
        assertThat(negotiate(DeflateConfig.DEFAULT, "permessage-deflate; server_max_window_bits=16, "
                + "permessage-deflate; server_max_window_bits=9; client_max_window_bits=10, permessage-deflate"))
                .isEqualTo("permessage-deflate; server_max_window_bits=9; client_max_window_bits=10");
        assertThat(negotiate(DeflateConfig.DEFAULT, "x-webkit-deflate-frame", "permessage-deflate; client_no_context_takeover, permessage-deflate"))
                .isEqualTo("permessage-deflate; client_no_context_takeover");
    }

    @Test
    void rfc7692_7_invalidOffersAreDeclined() {
        DeflateConfig ctx = DeflateConfig.DEFAULT.withPeerWindowBits(15);
        for (String bad : new String[] {"permessage-deflate; server_max_window_bits=16",
                "permessage-deflate; server_max_window_bits=7", "permessage-deflate; server_max_window_bits=015",
                "permessage-deflate; server_max_window_bits", "permessage-deflate; client_max_window_bits=16",
                "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
                "permessage-deflate; server_no_context_takeover=1", "permessage-deflate; foo=bar",
                "permessage-deflate; client_max_window_bits=10; client_max_window_bits=11"}) {
            assertThat(negotiate(ctx, bad)).as(bad).isEmpty();
            assertThat(negotiate(ctx, bad, "permessage-deflate")).as(bad + " then a good one").isEqualTo("permessage-deflate");
        }
        assertThat(negotiate(ctx, "permessage-deflate; server_max_window_bits=\"15\"")).isEqualTo("permessage-deflate; server_max_window_bits=12");
    }

    @Test
    void rfc7692_unknownExtensionsAreIgnoredAndDisabledDeflateDeclines() {
        assertThat(negotiate(DeflateConfig.DEFAULT.withPeerWindowBits(15), "x-webkit-deflate-frame, permessage-deflate"))
                .isEqualTo("permessage-deflate");
        assertThat(negotiate(DeflateConfig.DISABLED, "permessage-deflate")).isEmpty();
    }

    @Test
    void rfc6455_9_1_malformedExtensionsHeader_is400() {
        for (String bad : new String[] {"permessage-deflate; ", "permessage-deflate;;", "a b", "x; y=\"unterminated",
                "x; y=\"not a token\"", ";x"}) {
            HttpHeaders h = valid();
            h.add("Sec-WebSocket-Extensions", bad);
            assertThat(rejected(shake(h), 400).reason()).as(bad).contains("Extensions");
        }
    }

    @Test
    void isUpgradeRequestLooksAtTheUpgradeHeaderOnly() {
        assertThat(ServerHandshake.isUpgradeRequest(valid())).isTrue();
        assertThat(ServerHandshake.isUpgradeRequest(HttpHeaders.of("Host", "x"))).isFalse();
    }
}
