package io.loomsocket.web;

import io.loomsocket.server.HttpException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Query or form parameters (Django's {@code QueryDict}): each name may have several values, in
 * the order received. Immutable.
 */
public final class Params {
    /** Most parameters in one query string or form body; more is a 400 (hash-flooding and memory guard). */
    public static final int MAX_PARAMS = 1000;

    private static final Params EMPTY = new Params(Map.of());
    private final Map<String, List<String>> values;

    private Params(Map<String, List<String>> values) {
        this.values = values;
    }

    public static Params empty() {
        return EMPTY;
    }

    /**
     * Parses {@code application/x-www-form-urlencoded} text (the query string, or a form body):
     * {@code +} is a space, {@code %XX} an escaped UTF-8 byte.
     *
     * @throws HttpException 400 on a malformed escape or more than {@link #MAX_PARAMS} parameters
     */
    public static Params parse(String encoded) {
        if (encoded == null || encoded.isEmpty()) return EMPTY;
        Map<String, List<String>> map = new LinkedHashMap<>();
        int count = 0;
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) continue;
            if (++count > MAX_PARAMS) throw new HttpException(400, "more than " + MAX_PARAMS + " parameters");
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), true);
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), true);
            map.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
        }
        map.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return new Params(Collections.unmodifiableMap(map));
    }

    /**
     * Percent-decodes (RFC 3986 §2.1) as UTF-8; with {@code plusIsSpace}, {@code +} means a space
     * (HTML form encoding). Invalid UTF-8 becomes U+FFFD.
     *
     * @throws HttpException 400 on a truncated or non-hex escape
     */
    public static String decode(String s, boolean plusIsSpace) {
        if (s.indexOf('%') < 0 && (!plusIsSpace || s.indexOf('+') < 0)) return s;
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) throw new HttpException(400, "truncated percent-escape");
                int hi = hex(s.charAt(i + 1));
                int lo = hex(s.charAt(i + 2));
                if (hi < 0 || lo < 0) throw new HttpException(400, "malformed percent-escape");
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                out.write(' ');
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The value of an ASCII hex digit (RFC 3986 §2.1 HEXDIG), or -1. */
    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    /** The first value of {@code name}. */
    public Optional<String> first(String name) {
        List<String> v = values.get(name);
        return v == null ? Optional.empty() : Optional.of(v.get(0));
    }

    /** The first value of {@code name}, or {@code defaultValue}. */
    public String get(String name, String defaultValue) {
        return first(name).orElse(defaultValue);
    }

    /** Every value of {@code name} (Django's {@code getlist}). */
    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    public boolean contains(String name) {
        return values.containsKey(name);
    }

    public java.util.Set<String> names() {
        return values.keySet();
    }

    public Map<String, List<String>> asMap() {
        return values;
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
