package io.loomsocket.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A small case-insensitive, order-preserving multi-map of HTTP header fields (RFC 9110 §5:
 * field names are case-insensitive, a field may repeat). Names keep the spelling of their first
 * occurrence. Not thread-safe; build it on one thread, then share it read-only.
 */
public final class HttpHeaders {
    private final LinkedHashMap<String, Entry> map = new LinkedHashMap<>();
    private int size;

    private record Entry(String name, List<String> values) {}

    public HttpHeaders() {}

    /** A copy of {@code other}. */
    public HttpHeaders(HttpHeaders other) {
        other.forEach(this::add);
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

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    /** Appends a field; earlier values of the same name stay. */
    public HttpHeaders add(String name, String value) {
        if (name == null || value == null) {
            throw new NullPointerException("header name and value must not be null");
        }
        map.computeIfAbsent(key(name), k -> new Entry(name, new ArrayList<>(1))).values.add(value);
        size++;
        return this;
    }

    /** Replaces every value of {@code name} with {@code value}. */
    public HttpHeaders set(String name, String value) {
        remove(name);
        return add(name, value);
    }

    /** Removes every value of {@code name}; true if there was one. */
    public boolean remove(String name) {
        Entry e = map.remove(key(name));
        if (e == null) {
            return false;
        }
        size -= e.values.size();
        return true;
    }

    /** The first value of {@code name}, or null. */
    public String get(String name) {
        Entry e = map.get(key(name));
        return e == null ? null : e.values.get(0);
    }

    /** Every value of {@code name} in arrival order, possibly empty; unmodifiable. */
    public List<String> getAll(String name) {
        Entry e = map.get(key(name));
        return e == null ? List.of() : Collections.unmodifiableList(e.values);
    }

    /** True if at least one field is named {@code name}. */
    public boolean contains(String name) {
        return map.containsKey(key(name));
    }

    /**
     * The comma-separated elements of every {@code name} field (RFC 9110 §5.6.1), trimmed, empty
     * elements dropped. {@code Connection: keep-alive, Upgrade} gives {@code [keep-alive, Upgrade]}.
     */
    public List<String> tokens(String name) {
        List<String> out = new ArrayList<>();
        for (String v : getAll(name)) {
            for (String part : v.split(",", -1)) {
                String t = part.strip();
                if (!t.isEmpty()) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    /** True if {@code token} is one of {@link #tokens(String)}, compared case-insensitively. */
    public boolean containsToken(String name, String token) {
        for (String t : tokens(name)) {
            if (t.equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    /** Number of fields (a name with two values counts two). */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Visits every field in order, with the name as first spelled. */
    public void forEach(BiConsumer<String, String> action) {
        for (Entry e : map.values()) {
            for (String v : e.values) {
                action.accept(e.name, v);
            }
        }
    }

    /** The header names as first spelled, in order; unmodifiable snapshot. */
    public List<String> names() {
        List<String> out = new ArrayList<>(map.size());
        for (Entry e : map.values()) {
            out.add(e.name);
        }
        return Collections.unmodifiableList(out);
    }

    /** An unmodifiable snapshot: name (as first spelled) to values. */
    public Map<String, List<String>> toMap() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Entry e : map.values()) {
            out.put(e.name, List.copyOf(e.values));
        }
        return Collections.unmodifiableMap(out);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        forEach((n, v) -> sb.append(n).append(": ").append(v).append("\r\n"));
        return sb.toString();
    }
}
