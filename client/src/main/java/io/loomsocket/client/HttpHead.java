package io.loomsocket.client;

import io.loomsocket.engine.HttpHeaders;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The head of an HTTP/1.1 message (RFC 9112 §2.1): start line, header fields, blank line; and
 * whatever bytes followed it in the same reads (the first WebSocket frames, for a 101). Public
 * for peers that run the opening handshake on a socket of their own (the test kit's raw peer).
 *
 * @param startLine the status line (or request line), without CRLF
 * @param headers   the header fields
 * @param leftover  bytes read past the blank line
 */
public record HttpHead(String startLine, HttpHeaders headers, byte[] leftover) {

    /** Largest head accepted: 16 KiB, like common servers' default header limit. */
    public static final int MAX_HEAD_SIZE = 16 * 1024;

    /**
     * Reads a head from {@code in}, at most {@link #MAX_HEAD_SIZE} bytes.
     *
     * @throws IOException on end of stream before the blank line, an oversized head, or bad syntax
     */
    public static HttpHead read(InputStream in) throws IOException {
        byte[] buf = new byte[1024];
        int len = 0;
        int scanFrom = 0;
        while (true) {
            int end = indexOfBlankLine(buf, scanFrom, len);
            if (end >= 0) {
                return parse(new String(buf, 0, end, StandardCharsets.ISO_8859_1), Arrays.copyOfRange(buf, end + 4, len));
            }
            scanFrom = Math.max(0, len - 3);
            if (len == buf.length) {
                if (len >= MAX_HEAD_SIZE) throw new IOException("HTTP head longer than " + MAX_HEAD_SIZE + " bytes");
                buf = Arrays.copyOf(buf, Math.min(MAX_HEAD_SIZE, buf.length * 2));
            }
            int n = in.read(buf, len, buf.length - len);
            if (n < 0) {
                throw new IOException(len == 0 ? "connection closed before any HTTP response"
                        : "connection closed in the middle of the HTTP head");
            }
            len += n;
        }
    }

    private static int indexOfBlankLine(byte[] b, int from, int len) {
        for (int i = from; i + 3 < len; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') return i;
        }
        return -1;
    }

    static HttpHead parse(String head, byte[] leftover) throws IOException {
        String[] lines = head.split("\r\n", -1);
        HttpHeaders headers = new HttpHeaders();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) continue;
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw new IOException("obsolete line folding in HTTP head (RFC 9112 §5.2)");
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || line.substring(0, colon).strip().length() != colon) {
                throw new IOException("malformed HTTP header line: " + truncate(line));
            }
            headers.add(line.substring(0, colon), line.substring(colon + 1).strip());
        }
        return new HttpHead(lines[0], headers, leftover);
    }

    /**
     * The status code of a status line {@code HTTP/1.1 101 Switching Protocols}.
     *
     * @throws IOException if the line is not an HTTP/1.x status line
     */
    public int status() throws IOException {
        String[] parts = startLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || parts[1].length() != 3) {
            throw new IOException("not an HTTP/1.1 status line: " + truncate(startLine));
        }
        try {
            return Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP/1.1 status line: " + truncate(startLine));
        }
    }

    /** The reason phrase of a status line, or "". */
    public String reason() {
        String[] parts = startLine.split(" ", 3);
        return parts.length == 3 ? parts[2] : "";
    }

    private static String truncate(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }
}
