package io.loomsocket.test;

import io.loomsocket.web.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.core.type.TypeReference;

/**
 * An HTTP response as a {@link TestClient} received it: status, headers, body. Its
 * {@link #toString()} shows the status, the content type and the start of the body, so a failed
 * assertion on it says what came back. Immutable.
 */
public final class TestResponse {
    private final int status;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final Json json;

    TestResponse(int status, Map<String, List<String>> headers, byte[] body, Json json) {
        this.status = status;
        Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((k, v) -> h.put(k, List.copyOf(v)));
        this.headers = h;
        this.body = body;
        this.json = json;
    }

    public int status() {
        return status;
    }

    /** The first value of a header (names are case-insensitive). */
    public Optional<String> header(String name) {
        return headers(name).stream().findFirst();
    }

    /** Every value of a header, in order ({@code Set-Cookie} has one per cookie). */
    public List<String> headers(String name) {
        return headers.getOrDefault(name, List.of());
    }

    /** The {@code Location} of a redirect. */
    public Optional<String> location() {
        return header("Location");
    }

    /** The body as UTF-8 text. */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The body bytes (a copy). */
    public byte[] bytes() {
        return body.clone();
    }

    /**
     * The body read as JSON of {@code type} by the application's mapper.
     *
     * @throws AssertionError if it is not JSON of that type (saying what the body was)
     */
    public <T> T json(Class<T> type) {
        try {
            return json.read(body, type);
        } catch (RuntimeException e) {
            throw new AssertionError("expected a JSON " + type.getSimpleName() + " body: " + e.getMessage() + "; got " + this, e);
        }
    }

    /** {@link #json(Class)} for a generic type. */
    public <T> T json(TypeReference<T> type) {
        try {
            return json.read(body, type);
        } catch (RuntimeException e) {
            throw new AssertionError("expected a JSON body of " + type.getType() + ": " + e.getMessage() + "; got " + this, e);
        }
    }

    /** {@code 302 Location: /login/?next=/chat/} or {@code 200 text/html; charset=utf-8, 1234 bytes: <!doctype html>...}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(status);
        location().ifPresent(l -> sb.append(" Location: ").append(l));
        header("Content-Type").ifPresent(t -> sb.append(' ').append(t));
        sb.append(", ").append(body.length).append(" bytes");
        if (body.length > 0) {
            String type = header("Content-Type").orElse("").toLowerCase(Locale.ROOT);
            boolean textual = type.startsWith("text/") || type.contains("json") || type.contains("xml") || type.isEmpty();
            sb.append(": ").append(textual ? Describe.quote(text()) : Describe.hex(body));
        }
        return sb.toString();
    }
}
