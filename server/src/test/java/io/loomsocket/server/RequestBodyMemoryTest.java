package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A declared Content-Length reserves no memory: the body buffer grows with the bytes that
 * arrived. Measured by the largest array the parser hands to the socket's {@code read}: the
 * body buffer itself once reads bypass the line buffer.
 */
class RequestBodyMemoryTest {
    private final RequestParser parser = new RequestParser(ServerOptions.defaults());

    /** A socket stream that remembers the largest buffer it was asked to fill. */
    private static final class Recording extends ByteArrayInputStream {
        int largestBuffer;

        Recording(byte[] bytes) {
            super(bytes);
        }

        @Override
        public int read(byte[] b, int off, int len) {
            largestBuffer = Math.max(largestBuffer, b.length);
            return super.read(b, off, len);
        }
    }

    private static Recording stream(String head, byte[] body) {
        byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = Arrays.copyOf(h, h.length + body.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return new Recording(all);
    }

    private int largestBufferUntilEof(int sent) throws IOException {
        Recording socket = stream("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 1048576\r\n\r\n", new byte[sent]);
        HttpInput in = new HttpInput(null, socket, 8192);
        RequestParser.Framing framing = parser.framing(parser.parseHead(in));
        assertThatThrownBy(() -> parser.readBody(in, framing)).isInstanceOf(EOFException.class);
        return socket.largestBuffer;
    }

    @Test
    void aDeclaredMegabyteWithNothingSentReservesNoBodyBuffer() throws IOException {
        assertThat(largestBufferUntilEof(0)).isLessThanOrEqualTo(16 * 1024);
    }

    @Test
    void aDeclaredMegabyteWithTenKilobytesSentGrowsOnlyForThem() throws IOException {
        assertThat(largestBufferUntilEof(10_000)).isLessThanOrEqualTo(32 * 1024);
    }

    @Test
    void aBodyThatArrivesWholeIsReturnedExactly() throws IOException {
        byte[] body = new byte[300_000];
        new Random(7).nextBytes(body);
        HttpInput in = new HttpInput(null, stream("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 300000\r\n\r\n", body), 8192);
        assertThat(parser.readBody(in, parser.framing(parser.parseHead(in)))).isEqualTo(body);
    }
}
