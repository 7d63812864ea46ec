package io.loomsocket.server;

import io.loomsocket.engine.HttpHead;
import io.loomsocket.engine.HttpHeadException;
import io.loomsocket.engine.HttpHeaders;
import io.loomsocket.engine.HttpTokens;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Parses request heads and reads request bodies (RFC 9112), strictly: anything that two parsers
 * could read differently (the request-smuggling vectors of RFC 9112 §11.2) is refused with 400.
 */
final class RequestParser {
    /** Longest chunk-size line, extensions included (RFC 9112 §7.1.1). */
    static final int MAX_CHUNK_LINE = 1024;
    /** Methods this server implements; others get 501 (RFC 9110 §9.1). */
    static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");

    private final ServerOptions options;

    RequestParser(ServerOptions options) {
        this.options = options;
    }

    /**
     * Reads the request line and header section (RFC 9112 §2.1) with the engine's head codec
     * ({@link HttpHead}), straight from the input buffer: only the target and the field values
     * become new strings.
     */
    HttpRequestHead parseHead(HttpInput in) throws IOException {
        int maxHead = options.maxHeaderSize();
        int budget = maxHead;
        int lineLength = in.nextLine(budget, () -> new HttpException(414, "request line longer than " + maxHead + " bytes"));
        budget -= lineLength + 2;
        HttpHead.RequestLine line;
        try {
            line = HttpHead.parseRequestLine(in.buffer(), in.lineStart(), lineLength);
        } catch (HttpHeadException e) {
            throw new HttpException(e.status(), e.getMessage());
        }
        String method = line.method();
        String target = line.target();
        String version = line.version();
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            throw new HttpException(505, "only HTTP/1.1 and HTTP/1.0 are supported");
        }
        String path;
        String query;
        if (!target.isEmpty() && target.charAt(0) == '/') {
            int q = target.indexOf('?');
            path = q < 0 ? target : target.substring(0, q);
            query = q < 0 ? "" : target.substring(q + 1);
        } else if (target.equals("*") && method.equals("OPTIONS")) { // asterisk-form, RFC 9112 §3.2.4
            path = "*";
            query = "";
        } else if (target.regionMatches(true, 0, "http://", 0, 7) || target.regionMatches(true, 0, "https://", 0, 8)) {
            // absolute-form (RFC 9112 §3.2.2): keep only path and query; the authority must be valid
            int start = target.indexOf("//") + 2;
            int slash = target.indexOf('/', start);
            int end = slash < 0 ? target.indexOf('?', start) : slash;
            if (Authority.parse(target.substring(start, end < 0 ? target.length() : end)).isEmpty()) {
                throw new HttpException(400, "malformed authority in request target");
            }
            String rest = slash < 0 ? "/" : target.substring(slash);
            int q = rest.indexOf('?');
            path = q < 0 ? rest : rest.substring(0, q);
            query = q < 0 ? "" : rest.substring(q + 1);
        } else {
            throw new HttpException(400, "malformed request target");
        }
        if (target.indexOf('#') >= 0) throw new HttpException(400, "fragment in request target");

        HttpHeaders headers = new HttpHeaders();
        readFields(in, headers, budget);

        // RFC 9112 §3.2: exactly one Host field in an HTTP/1.1 request, never more than one, and a
        // valid one (uri-host [":" port], RFC 9110 §7.2), else 400
        int hosts = headers.count("Host");
        if (hosts > 1) throw new HttpException(400, "more than one Host header");
        if (hosts == 0 && version.equals("HTTP/1.1")) throw new HttpException(400, "missing Host header");
        if (hosts == 1 && Authority.parse(headers.get("Host")).isEmpty()) throw new HttpException(400, "malformed Host header");
        if (!METHODS.contains(method)) {
            if (method.equals("CONNECT") || method.equals("TRACE")) throw new HttpException(405, method + " is not allowed");
            throw new HttpException(501, "method not implemented: " + method);
        }
        return new HttpRequestHead(method, target, path, query, version, headers);
    }

    /**
     * Reads header fields up to the empty line (RFC 9112 §5), within {@code budget} bytes and
     * the header-count limit; used for the header section and for chunked trailers.
     */
    private int readFields(HttpInput in, HttpHeaders into, int budget) throws IOException {
        // built only when thrown: an exception per request would cost a stack trace per request
        Supplier<HttpException> tooBig = () -> new HttpException(431,
                "request header section larger than " + options.maxHeaderSize() + " bytes");
        while (true) {
            if (budget < 2) throw tooBig.get();
            int length = in.nextLine(budget - 2, tooBig);
            budget -= length + 2;
            if (length == 0) return budget;
            try {
                HttpHead.parseField(in.buffer(), in.lineStart(), length, into, options.maxHeaderCount());
            } catch (HttpHeadException e) {
                throw new HttpException(e.status(), e.getMessage());
            }
        }
    }

    /** How the body of a request is framed (RFC 9112 §6.3). */
    sealed interface Framing permits NoBody, Fixed, Chunked {}
    record NoBody() implements Framing {}
    record Fixed(long length) implements Framing {}
    record Chunked() implements Framing {}

    /** Decides the body framing, refusing ambiguous framing (RFC 9112 §6.1, §6.3, §11.2). */
    Framing framing(HttpRequestHead head) {
        HttpHeaders h = head.headers();
        boolean hasTe = h.contains("Transfer-Encoding");
        boolean hasCl = h.contains("Content-Length");
        if (hasTe) {
            if (hasCl) throw new HttpException(400, "both Transfer-Encoding and Content-Length");
            if (!head.isHttp11()) throw new HttpException(400, "Transfer-Encoding in an HTTP/1.0 request");
            List<String> te = h.tokens("Transfer-Encoding");
            if (te.isEmpty() || !te.get(te.size() - 1).equalsIgnoreCase("chunked")) {
                throw new HttpException(400, "Transfer-Encoding does not end with chunked");
            }
            if (te.size() > 1) {
                throw new HttpException(501, "transfer coding not implemented: " + te.get(0).toLowerCase(Locale.ROOT));
            }
            return new Chunked();
        }
        if (hasCl) {
            String value = null;
            for (String v : h.tokens("Content-Length")) {
                if (value != null && !value.equals(v)) throw new HttpException(400, "conflicting Content-Length values");
                value = v;
            }
            if (!isContentLength(value)) throw new HttpException(400, "malformed Content-Length");
            long length = Long.parseLong(value);
            if (length > options.maxBodySize()) {
                throw new HttpException(413, "request body larger than " + options.maxBodySize() + " bytes");
            }
            return length == 0 ? NO_BODY : new Fixed(length);
        }
        return NO_BODY;
    }

    private static final NoBody NO_BODY = new NoBody();

    /** Content-Length = 1*DIGIT (RFC 9110 §8.6), at most 18 digits so that it fits a long. */
    private static boolean isContentLength(String v) {
        if (v == null || v.isEmpty() || v.length() > 18) return false;
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') return false;
        }
        return true;
    }

    /** Reads a whole body framed by {@code framing}, within the body-size limit. */
    /** The body of a request without one, shared (an empty array cannot be changed). */
    static final byte[] NO_BYTES = new byte[0];

    byte[] readBody(HttpInput in, Framing framing) throws IOException {
        return switch (framing) {
            case NoBody n -> NO_BYTES;
            case Fixed f -> readFixed(in, (int) f.length());
            case Chunked c -> readChunked(in);
        };
    }

    /** The first buffer of a Content-Length body (unless more is already buffered, or less is declared). */
    static final int FIRST_BODY_BUFFER = 4096;

    /**
     * Reads a body of {@code length} bytes (RFC 9112 §6.2) into a buffer that grows as the bytes
     * arrive, doubling up to {@code length}, and is allocated only once the first byte is there:
     * a declared length reserves nothing (a client that announces 1 MiB and sends nothing costs
     * nothing), as nginx's and Netty's body buffers do. The last doubling stops at {@code length},
     * so the returned array is exactly the body.
     */
    private static byte[] readFixed(HttpInput in, int length) throws IOException {
        if (!in.await()) throw new EOFException("connection closed before the body");
        byte[] body = new byte[Math.min(length, Math.max(FIRST_BODY_BUFFER, in.buffered()))];
        int filled = 0;
        while (filled < length) {
            if (filled == body.length) body = Arrays.copyOf(body, (int) Math.min(length, 2L * body.length));
            int n = in.read(body, filled, body.length - filled);
            if (n < 0) throw new EOFException("connection closed inside a body");
            filled += n;
        }
        return body;
    }

    /** RFC 9112 §7.1: chunks, last-chunk, trailer section (read and dropped), CRLF. */
    private byte[] readChunked(HttpInput in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (true) {
            String line = in.readLine(MAX_CHUNK_LINE, () -> new HttpException(400, "chunk-size line too long"));
            long size = parseChunkSize(line);
            if (size == 0) break;
            if (out.size() + size > options.maxBodySize()) {
                throw new HttpException(413, "request body larger than " + options.maxBodySize() + " bytes");
            }
            long left = size;
            while (left > 0) {
                int n = (int) Math.min(buf.length, left);
                in.readFully(buf, 0, n);
                out.write(buf, 0, n);
                left -= n;
            }
            in.expectCrlf();
        }
        // trailer fields count against the header limits; we do not use them (RFC 9112 §7.1.2)
        readFields(in, new HttpHeaders(), options.maxHeaderSize());
        return out.toByteArray();
    }

    /** chunk-size = 1*HEXDIG, then optional chunk-ext (RFC 9112 §7.1, §7.1.1). */
    static long parseChunkSize(String line) {
        int end = 0;
        while (end < line.length() && isHexDigit(line.charAt(end))) end++;
        if (end == 0) throw new HttpException(400, "malformed chunk size");
        if (end > 15) throw new HttpException(400, "chunk size too large");
        String rest = line.substring(end);
        if (!rest.isEmpty()) {
            String ext = HttpTokens.trimOws(rest); // BWS before ';' is SP / HTAB only (RFC 9112 §7.1.1)
            if (!ext.startsWith(";")) throw new HttpException(400, "malformed chunk size");
            for (int i = 0; i < ext.length(); i++) {
                if (!HttpTokens.isFieldValueChar(ext.charAt(i))) throw new HttpException(400, "invalid character in chunk extension");
            }
        }
        return Long.parseLong(line.substring(0, end), 16);
    }

    private static boolean isHexDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
