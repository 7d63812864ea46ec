package io.loomsocket.web;

import io.loomsocket.server.BodyWriter;
import io.loomsocket.server.HttpDate;
import io.loomsocket.engine.HttpHeaders;
import io.loomsocket.server.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * A response (Django's {@code HttpResponse}): status, headers and a body that is either bytes,
 * or written when sent (streamed, or of known length such as a file). Middleware may change it
 * before it is sent. Not thread-safe.
 *
 * <pre>{@code
 * return Response.text("hello");
 * return Response.json(Map.of("ok", true));
 * return Response.redirect("/index/");
 * return Response.status(204).header("X-Why", "because");
 * }</pre>
 */
public final class Response {
    private int status;
    /**
     * The outcome of an accepted WebSocket request, as the response middleware sees it: the
     * connection was upgraded (its status is 101) and nothing of this response is sent.
     */
    private final boolean upgraded;
    private final HttpHeaders headers = new HttpHeaders();
    private byte[] body;
    private BodyWriter writer;
    private long length = -1; // for writer bodies: known length, or -1 for streamed
    private PendingJson json; // a Response.json value not yet written into body

    /** The value of {@link #json(Object)}, kept until the application's mapper writes it. */
    private record PendingJson(Object value) {}

    private Response(int status, byte[] body) {
        this(status, body, false);
    }

    private Response(int status, byte[] body, boolean upgraded) {
        // 1xx are not final responses (RFC 9110 §15.2); a 101 is only ever the upgraded() outcome
        if (upgraded ? status != 101 : status < 200 || status > 599) throw new IllegalArgumentException("invalid HTTP status " + status);
        this.status = status;
        this.body = body;
        this.upgraded = upgraded;
    }

    // ---- factories ----

    /** {@code text/plain; charset=utf-8}, 200. */
    public static Response text(String text) {
        return text(200, text);
    }

    public static Response text(int status, String text) {
        return new Response(status, text.getBytes(StandardCharsets.UTF_8)).contentType("text/plain; charset=utf-8");
    }

    /** {@code text/html; charset=utf-8}, 200. */
    public static Response html(String html) {
        return new Response(200, html.getBytes(StandardCharsets.UTF_8)).contentType("text/html; charset=utf-8");
    }

    /**
     * {@code application/json} of {@code value} (maps, lists, arrays, records, beans, strings,
     * numbers, booleans, null), written by the application's {@link Json} mapper when the view
     * returns; {@code json.max_nesting_depth} bounds its nesting (a cycle is refused, 500).
     */
    public static Response json(Object value) {
        Response r = new Response(200, null).contentType("application/json");
        r.json = new PendingJson(value);
        return r;
    }

    /** Bytes with a content type. */
    public static Response bytes(byte[] data, String contentType) {
        return new Response(200, data.clone()).contentType(contentType);
    }

    /** 302 Found to {@code location}. */
    public static Response redirect(String location) {
        return status(302).header("Location", location);
    }

    /** 301 Moved Permanently to {@code location}. */
    public static Response permanentRedirect(String location) {
        return status(301).header("Location", location);
    }

    /** An empty body with {@code status} (add headers with {@link #header}). */
    public static Response status(int status) {
        return new Response(status, new byte[0]);
    }

    /** A plain-text error page: {@code "404 Not Found: message"}. */
    public static Response error(int status, String message) {
        return text(status, status + " " + HttpStatus.reason(status) + (message.isEmpty() ? "" : ": " + message) + "\n")
                .header("X-Content-Type-Options", "nosniff");
    }

    /**
     * A file, streamed from disk with its length, content type (from its name) and
     * Last-Modified.
     *
     * @throws UncheckedIOException if it is not a readable regular file
     */
    public static Response file(Path file) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (!attrs.isRegularFile()) throw new UncheckedIOException(new IOException(file + " is not a regular file"));
        Response r = new Response(200, null).contentType(ContentTypes.of(file.getFileName().toString()));
        r.writer = out -> Files.copy(file, out);
        r.length = attrs.size();
        r.header("Last-Modified", HttpDate.format(attrs.lastModifiedTime().toInstant()));
        return r;
    }

    /** A body of known length copied from a stream opened when the response is sent. */
    public static Response stream(long length, String contentType, StreamOpener opener) {
        Response r = new Response(200, null).contentType(contentType);
        r.writer = out -> {
            try (InputStream in = opener.open()) {
                in.transferTo(out);
            }
        };
        r.length = length;
        return r;
    }

    /** Opens a stream for {@link #stream(long, String, StreamOpener)}. */
    @FunctionalInterface
    public interface StreamOpener {
        InputStream open() throws IOException;
    }

    /**
     * A body produced while it is sent (chunked to HTTP/1.1 clients); {@code flush()} pushes what
     * was written so far to the client.
     */
    public static Response streaming(String contentType, BodyWriter writer) {
        Response r = new Response(200, null).contentType(contentType);
        r.writer = Objects.requireNonNull(writer, "writer");
        return r;
    }

    static Response upgraded() {
        return new Response(101, new byte[0], true);
    }

    // ---- changing it ----

    public Response setStatus(int newStatus) {
        if (newStatus < 200 || newStatus > 599) throw new IllegalArgumentException("invalid HTTP status " + newStatus);
        if (upgraded) throw new IllegalStateException("the connection was upgraded; the status cannot change");
        this.status = newStatus;
        return this;
    }

    /** Sets a header, replacing any of that name (CR/LF in values are refused: no response splitting). */
    public Response header(String name, String value) {
        headers.set(name, value);
        return this;
    }

    /** Adds a header, keeping any of that name. */
    public Response addHeader(String name, String value) {
        headers.add(name, value);
        return this;
    }

    public Response contentType(String type) {
        return header("Content-Type", type);
    }

    /** {@code Set-Cookie: name=value; Path=/; HttpOnly; SameSite=Lax} (RFC 6265 §4.1). */
    public Response setCookie(String name, String value) {
        return setCookie(name, value, "Path=/; HttpOnly; SameSite=Lax");
    }

    /** {@code Set-Cookie} with attributes as written, e.g. {@code "Path=/; Max-Age=3600; Secure"}. */
    public Response setCookie(String name, String value, String attributes) {
        if (name.isEmpty() || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
            throw new IllegalArgumentException("invalid cookie name: " + name);
        }
        if (!value.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '"' && c != ',' && c != ';' && c != '\\')) {
            throw new IllegalArgumentException("invalid cookie value for " + name + " (encode it first)");
        }
        return addHeader("Set-Cookie", name + "=" + value + (attributes.isEmpty() ? "" : "; " + attributes));
    }

    /** Tells the client to drop a cookie. */
    public Response deleteCookie(String name) {
        return setCookie(name, "", "Path=/; Max-Age=0");
    }

    // ---- reading it ----

    public int status() {
        return status;
    }

    public HttpHeaders headers() {
        return headers;
    }

    /**
     * The body bytes, or null when the body is written on sending (file, stream). A
     * {@link #json(Object)} body read before the application wrote it (outside a request) is
     * written with the default mapper.
     */
    public byte[] content() {
        if (json != null) writeJson(Json.defaults());
        return body;
    }

    /** Writes a pending {@link #json(Object)} value with the application's mapper (once). */
    void writeJson(Json mapper) {
        if (json == null) return;
        body = mapper.writeBytes(json.value());
        json = null;
    }

    /** The body as UTF-8 text (empty for written-on-sending bodies). */
    public String contentText() {
        byte[] b = content();
        return b == null ? "" : new String(b, StandardCharsets.UTF_8);
    }

    /** True when this is the outcome of an upgraded WebSocket request (nothing goes on the wire). */
    public boolean isUpgraded() {
        return upgraded;
    }

    BodyWriter writer() {
        return writer;
    }

    long length() {
        return length;
    }

    @Override
    public String toString() {
        return "Response[" + status + " " + headers.get("Content-Type") + "]";
    }
}
