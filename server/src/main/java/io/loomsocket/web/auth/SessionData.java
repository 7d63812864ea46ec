package io.loomsocket.web.auth;

import io.loomsocket.web.Params;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stored session: its id (32 random characters {@code [a-z0-9]}, Django's session key) and
 * its values. What a {@link SessionStore} saves and loads.
 */
public record SessionData(String id, Map<String, String> values) {
    private static final String ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final int ID_LENGTH = 32; // 36^32 ≈ 2^165: not guessable
    private static final SecureRandom RANDOM = new SecureRandom();

    public SessionData {
        if (!isValidId(id)) throw new IllegalArgumentException("not a session id: " + id);
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** A fresh random id. */
    public static String newId() {
        char[] c = new char[ID_LENGTH];
        for (int i = 0; i < c.length; i++) c[i] = ID_CHARS.charAt(RANDOM.nextInt(ID_CHARS.length()));
        return new String(c);
    }

    /** True for a string shaped like an id (checked before a store is asked about it). */
    public static boolean isValidId(String id) {
        if (id == null || id.length() != ID_LENGTH) return false;
        for (int i = 0; i < id.length(); i++) {
            if (ID_CHARS.indexOf(id.charAt(i)) < 0) return false;
        }
        return true;
    }

    /** The values form-encoded ({@code k=v&k2=v2}, UTF-8 percent-encoding), as stores keep them. */
    public String encodeValues() {
        StringBuilder s = new StringBuilder();
        values.forEach((k, v) -> {
            if (!s.isEmpty()) s.append('&');
            s.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
        });
        return s.toString();
    }

    /** The session {@code id} with the values of {@link #encodeValues()}. */
    public static SessionData decode(String id, String encodedValues) {
        Map<String, String> values = new LinkedHashMap<>();
        Params.parse(encodedValues).asMap().forEach((k, v) -> {
            List<String> all = v;
            if (!all.isEmpty()) values.put(k, all.getFirst());
        });
        return new SessionData(id, values);
    }
}
