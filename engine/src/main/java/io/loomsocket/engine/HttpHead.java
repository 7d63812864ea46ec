package io.loomsocket.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The head of an HTTP/1.1 message (RFC 9112 §2.1): start line, header fields, blank line; and the
 * one codec that reads and writes heads, on the server (request lines) and on the client (status
 * lines).
 *
 * <p>Strict, so that two parsers never read one head differently (RFC 9112 §11.2): lines end in
 * CRLF (a bare CR or LF is refused), the request line has single spaces, a field name is a token
 * followed at once by the colon (§5.1), only SP and HTAB are optional whitespace (RFC 9110
 * §5.6.3), control characters in a value are refused (RFC 9110 §5.5), and obs-fold is refused
 * rather than unfolded (§5.2). Every refusal is an {@link HttpHeadException} with the status a
 * server answers it with.
 *
 * <p>The parsing methods take a byte range, so a caller that buffers the bytes itself (the server)
 * creates no string per line: only the method, the target and each field value become strings,
 * and the common methods, versions and field names are shared constants.
 *
 * @param startLine the status line or request line, without CRLF
 * @param headers   the header fields
 * @param leftover  the bytes read past the blank line (the first WebSocket frames, after a 101)
 */
public record HttpHead(String startLine, HttpHeaders headers, byte[] leftover) {

    /** Largest head {@link #read(InputStream)} accepts: 16 KiB, as common servers' default limit. */
    public static final int MAX_HEAD_SIZE = 16 * 1024;
    /** Most header fields {@link #read(InputStream)} accepts. */
    public static final int MAX_FIELDS = 100;

    /** A request line (RFC 9112 §3): method SP request-target SP HTTP-version. */
    public record RequestLine(String method, String target, String version) {}

    /** A status line (RFC 9112 §4): HTTP-version SP status-code SP [reason-phrase]. */
    public record StatusLine(String version, int status, String reason) {}

    /**
     * Reads a head from {@code in}: at most {@link #MAX_HEAD_SIZE} bytes and {@link #MAX_FIELDS}
     * fields. The start line is kept as text; {@link #statusLine()} or {@link #requestLine()}
     * parses it.
     *
     * @throws HttpHeadException if the head is malformed or too large
     * @throws IOException on end of stream before the blank line
     */
    public static HttpHead read(InputStream in) throws IOException {
        return read(in, MAX_HEAD_SIZE, MAX_FIELDS);
    }

    /** {@link #read(InputStream)} with other limits. */
    public static HttpHead read(InputStream in, int maxHeadSize, int maxFields) throws IOException {
        byte[] buf = new byte[Math.min(1024, maxHeadSize + 4)];
        int len = 0;
        int scanFrom = 0;
        while (true) {
            int end = indexOfBlankLine(buf, scanFrom, len);
            if (end >= 0) {
                if (end > maxHeadSize) break;
                return parse(buf, 0, end + 4, maxFields, Arrays.copyOfRange(buf, end + 4, len));
            }
            scanFrom = Math.max(0, len - 3);
            if (len >= maxHeadSize + 4) break;
            if (len == buf.length) buf = Arrays.copyOf(buf, Math.min(maxHeadSize + 4, buf.length * 2));
            int n = in.read(buf, len, buf.length - len);
            if (n < 0) {
                throw new IOException(len == 0 ? "connection closed before any HTTP head"
                        : "connection closed in the middle of the HTTP head");
            }
            len += n;
        }
        throw new HttpHeadException(431, "HTTP head longer than " + maxHeadSize + " bytes");
    }

    private static int indexOfBlankLine(byte[] b, int from, int len) {
        for (int i = from; i + 3 < len; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') return i;
        }
        return -1;
    }

    /**
     * Parses a whole head: {@code b[off, off + len)} is the start line, the field lines and the
     * blank line, each ended by CRLF, and nothing after.
     *
     * @param leftover what followed the head, kept in the result
     */
    public static HttpHead parse(byte[] b, int off, int len, int maxFields, byte[] leftover) throws HttpHeadException {
        int end = off + len;
        int lineEnd = lineEnd(b, off, end);
        if (lineEnd < 0) throw new HttpHeadException(400, "HTTP head without a line end");
        String startLine = new String(b, off, lineEnd - off, StandardCharsets.ISO_8859_1);
        HttpHeaders headers = new HttpHeaders();
        int p = lineEnd + 2;
        while (true) {
            int e = lineEnd(b, p, end);
            if (e < 0) throw new HttpHeadException(400, "HTTP head does not end with a blank line");
            if (e == p) {
                if (e + 2 != end) throw new HttpHeadException(400, "bytes after the blank line of an HTTP head");
                return new HttpHead(startLine, headers, leftover);
            }
            parseField(b, p, e - p, headers, maxFields);
            p = e + 2;
        }
    }

    /** Where the line starting at {@code from} ends (the index of its CR), or -1; a bare CR or LF is refused. */
    private static int lineEnd(byte[] b, int from, int end) throws HttpHeadException {
        for (int i = from; i < end; i++) {
            if (b[i] == '\n') throw new HttpHeadException(400, "bare LF in HTTP head");
            if (b[i] == '\r') {
                if (i + 1 >= end || b[i + 1] != '\n') throw new HttpHeadException(400, "bare CR in HTTP head");
                return i;
            }
        }
        return -1;
    }

    /** The start line parsed as a status line. */
    public StatusLine statusLine() throws HttpHeadException {
        byte[] b = startLine.getBytes(StandardCharsets.ISO_8859_1);
        return parseStatusLine(b, 0, b.length);
    }

    /** The status code of a status line, e.g. 101. */
    public int status() throws HttpHeadException {
        return statusLine().status();
    }

    /** The start line parsed as a request line. */
    public RequestLine requestLine() throws HttpHeadException {
        byte[] b = startLine.getBytes(StandardCharsets.ISO_8859_1);
        return parseRequestLine(b, 0, b.length);
    }

    /**
     * Parses a request line without its CRLF (RFC 9112 §3): a method token, a request-target of
     * visible ASCII, an {@code HTTP/d.d} version, separated by single spaces. Which methods,
     * target forms and versions are served is the server's decision, not checked here.
     */
    public static RequestLine parseRequestLine(byte[] b, int off, int len) throws HttpHeadException {
        int end = off + len;
        int sp1 = off;
        while (sp1 < end && b[sp1] != ' ') {
            if (!HttpTokens.isTchar(b[sp1])) throw new HttpHeadException(400, "malformed method");
            sp1++;
        }
        if (sp1 == off || sp1 == end) throw new HttpHeadException(400, "malformed request line");
        int sp2 = sp1 + 1;
        while (sp2 < end && b[sp2] != ' ') {
            int c = b[sp2] & 0xff;
            if (c < 0x20 || c >= 0x7f) throw new HttpHeadException(400, "invalid character in request target");
            sp2++;
        }
        if (sp2 == sp1 + 1 || sp2 == end) throw new HttpHeadException(400, "malformed request line");
        if (!isHttpVersion(b, sp2 + 1, end)) {
            for (int i = sp2 + 1; i < end; i++) {
                if (b[i] == ' ') throw new HttpHeadException(400, "malformed request line");
            }
            throw new HttpHeadException(400, "malformed HTTP version");
        }
        return new RequestLine(method(b, off, sp1 - off), new String(b, sp1 + 1, sp2 - sp1 - 1, StandardCharsets.ISO_8859_1),
                version(b, sp2 + 1));
    }

    /**
     * Parses a status line without its CRLF (RFC 9112 §4): an {@code HTTP/1.x} version, a
     * three-digit status code, then SP and a reason phrase (which may be missing, as some servers
     * send it).
     */
    public static StatusLine parseStatusLine(byte[] b, int off, int len) throws HttpHeadException {
        int end = off + len;
        if (len < 12 || !isHttpVersion(b, off, off + 8) || b[off + 5] != '1' || b[off + 8] != ' '
                || !isDigit(b[off + 9]) || !isDigit(b[off + 10]) || !isDigit(b[off + 11])
                || (len > 12 && b[off + 12] != ' ')) {
            throw new HttpHeadException(400, "not an HTTP/1.1 status line: "
                    + truncate(new String(b, off, len, StandardCharsets.ISO_8859_1)));
        }
        int status = (b[off + 9] - '0') * 100 + (b[off + 10] - '0') * 10 + (b[off + 11] - '0');
        for (int i = off + 13; i < end; i++) {
            if (!HttpTokens.isFieldValueChar(b[i] & 0xff)) throw new HttpHeadException(400, "invalid character in reason phrase");
        }
        String reason = len > 13 ? new String(b, off + 13, len - 13, StandardCharsets.ISO_8859_1) : "";
        return new StatusLine(version(b, off), status, reason);
    }

    /**
     * Parses one field line without its CRLF (RFC 9112 §5) and appends it to {@code into}:
     * {@code token ":" OWS field-value OWS}.
     *
     * @throws HttpHeadException 431 if {@code into} already holds {@code maxFields} fields; 400 on
     *         obs-fold, a missing or misplaced colon, a name that is not a token, or a control
     *         character in the value
     */
    public static void parseField(byte[] b, int off, int len, HttpHeaders into, int maxFields) throws HttpHeadException {
        if (into.size() >= maxFields) throw new HttpHeadException(431, "more than " + maxFields + " header fields");
        int end = off + len;
        if (len > 0 && HttpTokens.isOws(b[off])) {
            throw new HttpHeadException(400, "obsolete line folding in header"); // RFC 9112 §5.2: refused, not unfolded
        }
        int colon = off;
        while (colon < end && b[colon] != ':') {
            // RFC 9112 §5.1: no whitespace between field name and colon, refused with 400
            if (!HttpTokens.isTchar(b[colon])) throw new HttpHeadException(400, "invalid header name");
            colon++;
        }
        if (colon == off || colon == end) throw new HttpHeadException(400, "header line without a name and colon");
        int vs = colon + 1;
        int ve = end;
        while (vs < ve && HttpTokens.isOws(b[vs])) vs++;
        while (ve > vs && HttpTokens.isOws(b[ve - 1])) ve--;
        for (int i = vs; i < ve; i++) {
            if (!HttpTokens.isFieldValueChar(b[i] & 0xff)) {
                throw new HttpHeadException(400, "invalid character in header "
                        + new String(b, off, colon - off, StandardCharsets.ISO_8859_1));
            }
        }
        String name = Known.name(b, off, colon - off);
        into.append(name, Known.value(name, b, vs, ve - vs));
    }

    /**
     * Writes a head: {@code startLine} CRLF, then every field of each of {@code sections} in
     * order as {@code Name: value} CRLF, then the blank line; ISO-8859-1, where a character above
     * U+00FF becomes {@code '?'} (never its low byte: U+010A must not become LF). Field names and
     * values were checked when added to {@link HttpHeaders}.
     */
    public static byte[] encode(String startLine, HttpHeaders... sections) {
        int length = startLine.length() + 4;
        for (HttpHeaders h : sections) {
            for (int i = 0; i < h.size(); i++) length += h.name(i).length() + h.value(i).length() + 4;
        }
        byte[] out = new byte[length];
        int p = put(out, 0, startLine);
        out[p++] = '\r';
        out[p++] = '\n';
        for (HttpHeaders h : sections) {
            for (int i = 0; i < h.size(); i++) {
                p = put(out, p, h.name(i));
                out[p++] = ':';
                out[p++] = ' ';
                p = put(out, p, h.value(i));
                out[p++] = '\r';
                out[p++] = '\n';
            }
        }
        out[p++] = '\r';
        out[p] = '\n';
        return out;
    }

    private static int put(byte[] out, int p, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out[p++] = c <= 0xff ? (byte) c : (byte) '?';
        }
        return p;
    }

    /** {@code HTTP/<digit>.<digit>} (RFC 9112 §2.3) exactly filling {@code b[from, end)}. */
    private static boolean isHttpVersion(byte[] b, int from, int end) {
        return end - from == 8 && b[from] == 'H' && b[from + 1] == 'T' && b[from + 2] == 'T' && b[from + 3] == 'P'
                && b[from + 4] == '/' && isDigit(b[from + 5]) && b[from + 6] == '.' && isDigit(b[from + 7]);
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static String method(byte[] b, int off, int len) {
        for (String m : Known.METHODS) {
            if (Known.matches(m, b, off, len)) return m;
        }
        return new String(b, off, len, StandardCharsets.ISO_8859_1);
    }

    /** The version at {@code b[off, off + 8)}, already checked by {@link #isHttpVersion}. */
    private static String version(byte[] b, int off) {
        if (b[off + 5] == '1' && b[off + 7] == '1') return "HTTP/1.1";
        if (b[off + 5] == '1' && b[off + 7] == '0') return "HTTP/1.0";
        return new String(b, off, 8, StandardCharsets.ISO_8859_1);
    }

    private static String truncate(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }

    @Override
    public String toString() {
        return startLine + "\r\n" + headers;
    }

    /** The strings a handshake head is mostly made of, shared instead of decoded each time. */
    private static final class Known {
        static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"};
        /** By length: the field names of browsers', curl's and WebSocket clients' requests, and of 101 responses. */
        private static final String[][] NAMES = byLength(
                "Host", "Upgrade", "Connection", "Origin", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language",
                "Cache-Control", "Pragma", "Cookie", "Content-Length", "Content-Type", "Transfer-Encoding", "Referer",
                "Authorization", "Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host",
                "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions", "Sec-WebSocket-Protocol",
                "Sec-WebSocket-Accept", "Sec-Fetch-Mode", "Sec-Fetch-Site", "Sec-Fetch-Dest", "Date", "Server",
                "host", "upgrade", "connection", "origin", "user-agent", "accept", "accept-encoding", "cookie",
                "content-length", "content-type", "sec-websocket-key", "sec-websocket-version",
                "sec-websocket-extensions", "sec-websocket-protocol", "sec-websocket-accept");
        /** By length: the usual values of Upgrade, Connection and Sec-WebSocket-Version. */
        private static final String[][] VALUES = byLength(
                "websocket", "Upgrade", "upgrade", "13", "keep-alive", "close", "keep-alive, Upgrade", "Keep-Alive",
                "no-cache", "*/*", "gzip, deflate", "gzip, deflate, br", "");

        private static String[][] byLength(String... strings) {
            int max = 0;
            for (String s : strings) max = Math.max(max, s.length());
            String[][] out = new String[max + 1][0];
            for (String s : strings) {
                String[] bucket = out[s.length()];
                out[s.length()] = Arrays.copyOf(bucket, bucket.length + 1);
                out[s.length()][bucket.length] = s;
            }
            return out;
        }

        static String name(byte[] b, int off, int len) {
            return lookup(NAMES, b, off, len);
        }

        /**
         * The last Host and Origin values decoded: a server's requests repeat them, and a
         * WebSocket keeps its handshake's headers for its whole life, so they share one String.
         * Racy by design: a miss (another value, or another thread's) only decodes a new one.
         */
        private static volatile String lastHost = "";
        private static volatile String lastOrigin = "";

        static String value(String name, byte[] b, int off, int len) {
            if (name.length() == 4 && name.equalsIgnoreCase("Host")) {
                String last = lastHost;
                return matches(last, b, off, len) ? last : (lastHost = lookup(VALUES, b, off, len));
            }
            if (name.length() == 6 && name.equalsIgnoreCase("Origin")) {
                String last = lastOrigin;
                return matches(last, b, off, len) ? last : (lastOrigin = lookup(VALUES, b, off, len));
            }
            return lookup(VALUES, b, off, len);
        }

        private static String lookup(String[][] table, byte[] b, int off, int len) {
            if (len < table.length) {
                for (String s : table[len]) {
                    if (matches(s, b, off, len)) return s;
                }
            }
            return new String(b, off, len, StandardCharsets.ISO_8859_1);
        }

        static boolean matches(String s, byte[] b, int off, int len) {
            if (s.length() != len) return false;
            for (int i = 0; i < len; i++) {
                if (s.charAt(i) != b[off + i]) return false;
            }
            return true;
        }
    }
}
