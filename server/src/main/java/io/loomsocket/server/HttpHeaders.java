package io.loomsocket.server;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * HTTP header fields in arrival order, names compared case-insensitively (RFC 9110 §5.1).
 * Several fields with one name are kept apart, as received (RFC 9110 §5.3). Not thread-safe.
 */
public final class HttpHeaders {
    private final List<String> names = new ArrayList<>();
    private final List<String> values = new ArrayList<>();

    public HttpHeaders() {}

    /** A mutable copy of {@code other}. */
    public HttpHeaders(HttpHeaders other) {
        names.addAll(other.names);
        values.addAll(other.values);
    }

    /** Adds a field, keeping any already there with the same name. */
    public HttpHeaders add(String name, String value) {
        checkField(name, value);
        names.add(name);
        values.add(value);
        return this;
    }

    /** Replaces every field named {@code name} by one with {@code value}. */
    public HttpHeaders set(String name, String value) {
        remove(name);
        return add(name, value);
    }

    /** Removes every field named {@code name}. */
    public HttpHeaders remove(String name) {
        for (int i = names.size() - 1; i >= 0; i--) {
            if (names.get(i).equalsIgnoreCase(name)) {
                names.remove(i);
                values.remove(i);
            }
        }
        return this;
    }

    /** The first value of {@code name}. */
    public Optional<String> first(String name) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) return Optional.of(values.get(i));
        }
        return Optional.empty();
    }

    /** The first value of {@code name}, or null. */
    public String get(String name) {
        return first(name).orElse(null);
    }

    /** Every value of {@code name}, in order. */
    public List<String> all(String name) {
        List<String> out = new ArrayList<>(2);
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) out.add(values.get(i));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The comma-separated list elements of every field named {@code name} (RFC 9110 §5.6.1),
     * without their optional whitespace (SP, HTAB), empty elements dropped.
     */
    public List<String> tokens(String name) {
        List<String> out = new ArrayList<>(2);
        for (String v : all(name)) {
            for (String part : v.split(",")) {
                String t = Tokens.trimOws(part);
                if (!t.isEmpty()) out.add(t);
            }
        }
        return out;
    }

    /** True if some list element of {@code name} equals {@code token}, ignoring case. */
    public boolean containsToken(String name, String token) {
        for (String t : tokens(name)) if (t.equalsIgnoreCase(token)) return true;
        return false;
    }

    public boolean contains(String name) {
        return first(name).isPresent();
    }

    public int size() {
        return names.size();
    }

    /** Distinct field names, lower-cased, in first-arrival order. */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            String l = n.toLowerCase(Locale.ROOT);
            if (!out.contains(l)) out.add(l);
        }
        return out;
    }

    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < names.size(); i++) action.accept(names.get(i), values.get(i));
    }

    /**
     * Rejects names that are not tokens and values with CR, LF or NUL, so that an application
     * can never inject a header or split a response (RFC 9110 §5.5).
     */
    static void checkField(String name, String value) {
        if (name == null || name.isEmpty() || !Tokens.isToken(name)) {
            throw new IllegalArgumentException("not a valid header name: " + name);
        }
        if (value == null) throw new IllegalArgumentException("null value for header " + name);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new IllegalArgumentException("header " + name + " has CR, LF or NUL in its value");
            }
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(names.get(i)).append(": ").append(values.get(i));
        }
        return sb.append('}').toString();
    }
}
