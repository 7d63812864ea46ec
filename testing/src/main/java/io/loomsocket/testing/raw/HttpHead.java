package io.loomsocket.testing.raw;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The head of an HTTP/1.1 request or response (start line and header fields), read byte by byte
 * so that nothing after the blank line is consumed: the first WebSocket frame may follow at once.
 *
 * <p>This is the test peers' own reading of a head, on purpose not the engine's {@code HttpHead}:
 * the raw peers check the engine's codec from outside (and the engine's own tests use these
 * fixtures, so the fixtures cannot depend on the engine).
 *
 * @param startLine "HTTP/1.1 101 Switching Protocols" or "GET /echo HTTP/1.1"
 * @param headers   field names in lower case, values in order of appearance
 */
public record HttpHead(String startLine, Map<String, List<String>> headers) {

    /** Largest head the harness reads, so that a broken peer cannot exhaust memory. */
    public static final int MAX_HEAD_BYTES = 64 * 1024;

    /** RFC 6455 §1.3: the GUID concatenated to the key before hashing. */
    public static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    public static HttpHead read(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int state = 0; // counts the bytes of "\r\n\r\n" seen so far
        while (state < 4) {
            int b = in.read();
            if (b < 0) throw new EOFException("end of stream inside an HTTP head: " + buf.toString(StandardCharsets.ISO_8859_1));
            buf.write(b);
            if (buf.size() > MAX_HEAD_BYTES) throw new IOException("HTTP head larger than " + MAX_HEAD_BYTES);
            state = switch (state) {
                case 0, 2 -> b == '\r' ? state + 1 : 0;
                case 1, 3 -> b == '\n' ? state + 1 : (b == '\r' ? 1 : 0);
                default -> throw new AssertionError();
            };
        }
        String[] lines = buf.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) continue;
            headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .add(lines[i].substring(colon + 1).trim());
        }
        return new HttpHead(lines[0], headers);
    }

    /** The status code of a response head. */
    public int status() {
        String[] parts = startLine.split(" ", 3);
        return Integer.parseInt(parts[1]);
    }

    /** All values of a field joined with ", " (RFC 9110 §5.3), or null if absent. */
    public String header(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null ? null : String.join(", ", v);
    }

    /** The request target of a request head. */
    public String target() { return startLine.split(" ", 3)[1]; }

    /** {@code Sec-WebSocket-Accept} for a key (RFC 6455 §4.2.2, item 5.4). */
    public static String acceptFor(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
