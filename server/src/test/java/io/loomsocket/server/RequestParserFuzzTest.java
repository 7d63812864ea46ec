package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Feeds mutated requests to the request parser: only HttpException (a 4xx/5xx answer) or
 * EOFException (the client stopped mid-request) may come out, and every limit holds.
 * 20,000 inputs by default; 2,000,000 with -Dloomsocket.long=true.
 */
class RequestParserFuzzTest {
    private static final List<String> SEEDS = List.of(
            "GET /index/?a=1&b=%20 HTTP/1.1\r\nHost: h\r\nCookie: a=b\r\n\r\n",
            "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\nHost: h\r\n\r\n",
            "PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\n",
            "GET /echo HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
            "GET http://h/abs?q HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
            "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n");
    private static final byte[] INTERESTING = " \t\r\n:;,0123456789abcdefxX-+/?%#\"\u0000\u007f\u0080\u00ff".getBytes(StandardCharsets.ISO_8859_1);

    @Test
    void onlyDocumentedExceptionsEscape() {
        int runs = Boolean.getBoolean("loomsocket.long") ? 2_000_000 : 20_000;
        ServerOptions options = ServerOptions.builder().maxHeaderSize(512).maxHeaderCount(20).maxBodySize(64).build();
        RequestParser parser = new RequestParser(options);
        Random random = new Random(20261125);
        int parsed = 0;
        int refused = 0;
        for (int i = 0; i < runs; i++) {
            byte[] input = mutate(SEEDS.get(random.nextInt(SEEDS.size())).getBytes(StandardCharsets.ISO_8859_1), random);
            HttpInput in = new HttpInput(null, new ByteArrayInputStream(input), options.maxHeaderSize());
            try {
                for (int request = 0; request < 3; request++) {
                    HttpRequestHead head = parser.parseHead(in);
                    byte[] body = parser.readBody(in, parser.framing(head));
                    assertThat(body.length).isLessThanOrEqualTo(64);
                    assertThat(head.headers().size()).isLessThanOrEqualTo(20);
                    parsed++;
                    if (!in.await()) break;
                }
            } catch (HttpException e) {
                assertThat(e.status()).isBetween(400, 505);
                refused++;
            } catch (EOFException e) {
                refused++;
            } catch (Throwable t) {
                fail("input " + Arrays.toString(input) + " (" + new String(input, StandardCharsets.ISO_8859_1) + ") threw " + t, t);
            }
        }
        assertThat(parsed).isPositive();
        assertThat(refused).isPositive();
    }

    private static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed;
        int mutations = 1 + r.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            int pos = r.nextInt(b.length + 1);
            switch (r.nextInt(6)) {
                case 0 -> { if (pos < b.length) b[pos] = (byte) r.nextInt(256); }
                case 1 -> b = insert(b, pos, new byte[] {INTERESTING[r.nextInt(INTERESTING.length)]});
                case 2 -> { if (pos < b.length) b = concat(Arrays.copyOfRange(b, 0, pos), Arrays.copyOfRange(b, pos + 1, b.length)); }
                case 3 -> {
                    int from = r.nextInt(b.length);
                    int len = Math.min(b.length - from, 1 + r.nextInt(40));
                    b = insert(b, pos, Arrays.copyOfRange(b, from, from + len));
                }
                case 4 -> b = Arrays.copyOf(b, pos);
                default -> b = insert(b, pos, "X".repeat(r.nextInt(700)).getBytes(StandardCharsets.ISO_8859_1));
            }
            if (b.length == 0) b = seed.clone();
        }
        return b == seed ? seed.clone() : b;
    }

    private static byte[] insert(byte[] b, int pos, byte[] what) {
        return concat(concat(Arrays.copyOfRange(b, 0, pos), what), Arrays.copyOfRange(b, pos, b.length));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
