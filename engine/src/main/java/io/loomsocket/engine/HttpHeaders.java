package io.loomsocket.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * HTTP header fields in arrival order, names compared case-insensitively (RFC 9110 §5.1). Several
 * fields with one name are kept apart, as received (RFC 9110 §5.3), each with its own spelling.
 * The one header type of requests, responses and handshakes, on the server and the client.
 *
 * <p>{@link #add} refuses a name that is not a token and a value with CR, LF or NUL, so that no
 * caller can inject a header or split a message (RFC 9110 §5.5). Lookups compare names in place:
 * nothing is lower-cased or copied. Not thread-safe; build it on one thread, then share it
 * read-only.
 */
public final class HttpHeaders {
    private String[] names;
    private String[] values;
    private int size;

    public HttpHeaders() {
        names = new String[8];
        values = new String[8];
    }

    /** A mutable copy of {@code other}. */
    public HttpHeaders(HttpHeaders other) {
        names = Arrays.copyOf(other.names, Math.max(8, other.size));
        values = Arrays.copyOf(other.values, Math.max(8, other.size));
        size = other.size;
    }

    /** Builds headers from name/value pairs: {@code of("Host", "a", "Upgrade", "websocket")}. */
    public static HttpHeaders of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("odd number of arguments");
        }
        HttpHeaders h = new HttpHeaders();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            h.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return h;
    }

    /**
     * Appends a field; earlier fields of the same name stay.
     *
     * @throws IllegalArgumentException if {@code name} is not a token or {@code value} has CR, LF or NUL
     * @throws NullPointerException if either is null
     */
    public HttpHeaders add(String name, String value) {
        checkField(name, value);
        append(name, value);
        return this;
    }

    /** Appends a field the head parser has already checked (stricter than {@link #checkField}). */
    void append(String name, String value) {
        if (size == names.length) {
            names = Arrays.copyOf(names, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        names[size] = name;
        values[size] = value;
        size++;
    }

    /** Replaces every field named {@code name} by one with {@code value}. */
    public HttpHeaders set(String name, String value) {
        checkField(name, value);
        remove(name);
        append(name, value);
        return this;
    }

    /** Removes every field named {@code name}; true if there was one. */
    public boolean remove(String name) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (!names[i].equalsIgnoreCase(name)) {
                names[kept] = names[i];
                values[kept] = values[i];
                kept++;
            }
        }
        boolean removed = kept < size;
        Arrays.fill(names, kept, size, null);
        Arrays.fill(values, kept, size, null);
        size = kept;
        return removed;
    }

    /** The first value of {@code name}, or null. */
    public String get(String name) {
        for (int i = 0; i < size; i++) {
            if (names[i].equalsIgnoreCase(name)) return values[i];
        }
        return null;
    }

    /** Every value of {@code name} in arrival order, possibly empty; unmodifiable. */
    public List<String> getAll(String name) {
        List<String> out = null;
        for (int i = 0; i < size; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                if (out == null) out = new ArrayList<>(2);
                out.add(values[i]);
            }
        }
        return out == null ? List.of() : Collections.unmodifiableList(out);
    }

    /** How many fields are named {@code name}. */
    public int count(String name) {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (names[i].equalsIgnoreCase(name)) n++;
        }
        return n;
    }

    /** True if at least one field is named {@code name}. */
    public boolean contains(String name) {
        for (int i = 0; i < size; i++) {
            if (names[i].equalsIgnoreCase(name)) return true;
        }
        return false;
    }

    /** The index of the comma that ends the list element starting at {@code start}, or the value's length. */
    private static int elementEnd(String v, int start) {
        int comma = v.indexOf(',', start);
        return comma < 0 ? v.length() : comma;
    }

    /** The first index in [s, e) that is not optional whitespace, or e. */
    private static int trimStart(String v, int s, int e) {
        while (s < e && HttpTokens.isOws(v.charAt(s))) s++;
        return s;
    }

    /** The index after the last character in [s, e) that is not optional whitespace, or s. */
    private static int trimEnd(String v, int s, int e) {
        while (e > s && HttpTokens.isOws(v.charAt(e - 1))) e--;
        return e;
    }

    /**
     * The comma-separated list elements of every field named {@code name} (RFC 9110 §5.6.1),
     * without their optional whitespace (SP, HTAB only), empty elements dropped.
     * {@code Connection: keep-alive, Upgrade} gives {@code [keep-alive, Upgrade]}.
     */
    public List<String> tokens(String name) {
        List<String> out = new ArrayList<>(2);
        for (int i = 0; i < size; i++) {
            if (!names[i].equalsIgnoreCase(name)) continue;
            String v = values[i];
            for (int start = 0; start <= v.length(); start = elementEnd(v, start) + 1) {
                int end = elementEnd(v, start);
                int s = trimStart(v, start, end);
                int e = trimEnd(v, s, end);
                if (s < e) out.add(s == 0 && e == v.length() ? v : v.substring(s, e));
            }
        }
        return out;
    }

    /**
     * True if some list element of {@code name} (see {@link #tokens}) equals {@code token},
     * ignoring case. Allocates nothing.
     */
    public boolean containsToken(String name, String token) {
        int tlen = token.length();
        for (int i = 0; i < size; i++) {
            if (!names[i].equalsIgnoreCase(name)) continue;
            String v = values[i];
            for (int start = 0; start <= v.length(); start = elementEnd(v, start) + 1) {
                int end = elementEnd(v, start);
                int s = trimStart(v, start, end);
                int e = trimEnd(v, s, end);
                if (e - s == tlen && v.regionMatches(true, s, token, 0, tlen)) return true;
            }
        }
        return false;
    }

    /** The name of the {@code i}-th field, as spelled there. */
    String name(int i) {
        return names[i];
    }

    /** The value of the {@code i}-th field. */
    String value(int i) {
        return values[i];
    }

    /** Number of fields (a name with two values counts two). */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Visits every field in arrival order, each name as spelled in that field. */
    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < size; i++) {
            action.accept(names[i], values[i]);
        }
    }

    /** The distinct field names as first spelled, in first-arrival order; unmodifiable snapshot. */
    public List<String> names() {
        List<String> out = new ArrayList<>(size);
        outer:
        for (int i = 0; i < size; i++) {
            for (String seen : out) {
                if (seen.equalsIgnoreCase(names[i])) continue outer;
            }
            out.add(names[i]);
        }
        return Collections.unmodifiableList(out);
    }

    /** An unmodifiable snapshot: name (as first spelled) to its values in order. */
    public Map<String, List<String>> toMap() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String n : names()) {
            out.put(n, getAll(n));
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * Refuses a name that is not a token and a value with CR, LF or NUL (RFC 9110 §5.5): the
     * check on every field that an application or a caller adds.
     */
    static void checkField(String name, String value) {
        if (name == null || value == null) throw new NullPointerException("header name and value must not be null");
        if (!HttpTokens.isToken(name)) throw new IllegalArgumentException("not a valid header name: " + name);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new IllegalArgumentException("header " + name + " has CR, LF or NUL in its value");
            }
        }
    }

    /** The fields as they would appear in a head: {@code Name: value} lines, each ended by CRLF. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < size; i++) {
            sb.append(names[i]).append(": ").append(values[i]).append("\r\n");
        }
        return sb.toString();
    }
}
