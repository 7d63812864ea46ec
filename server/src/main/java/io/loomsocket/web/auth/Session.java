package io.loomsocket.web.auth;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The session of a request ({@code request.session()}, Django's {@code request.session}): string
 * values kept between a browser's requests, saved by {@link SessionMiddleware} when the response
 * goes out if they changed. Changes made by a WebSocket view are not saved (no response carries
 * a cookie after the upgrade). Used by the request's thread only.
 */
public final class Session {
    /**
     * Largest session, in bytes of its form-encoded values: a signed cookie carrying it (base64,
     * id, timestamp, signature) stays under the 4096 bytes browsers keep per cookie (RFC 6265 §6.1).
     */
    public static final int MAX_BYTES = 2800;

    private String id;
    /** The values: a shared empty map until the first put (a request that never writes its session copies nothing). */
    private Map<String, String> values;
    private final Instant expiresAt;
    /** Ids to delete when the response goes out; null while there are none. */
    private List<String> ended;
    private boolean modified;
    private boolean accessed;

    Session(SessionData loaded, Instant expiresAt) {
        this.id = loaded == null ? null : loaded.id();
        this.values = loaded == null || loaded.values().isEmpty() ? Map.of() : new LinkedHashMap<>(loaded.values());
        this.expiresAt = expiresAt;
    }

    /** The value of {@code key}. */
    public Optional<String> get(String key) {
        accessed = true;
        return Optional.ofNullable(values.get(key));
    }

    /**
     * Sets a value, saved with the response.
     *
     * @throws IllegalArgumentException if the session would grow past {@link #MAX_BYTES}
     */
    public void put(String key, String value) {
        accessed = true;
        if (key.isEmpty()) throw new IllegalArgumentException("empty session key");
        if (!(values instanceof LinkedHashMap)) values = new LinkedHashMap<>(values);
        String old = values.put(key, value);
        if (size() > MAX_BYTES) {
            if (old == null) values.remove(key);
            else values.put(key, old);
            throw new IllegalArgumentException("the session would exceed " + MAX_BYTES + " bytes (Session.MAX_BYTES)");
        }
        modified = true;
    }

    public void remove(String key) {
        accessed = true;
        if (values.containsKey(key)) {
            if (!(values instanceof LinkedHashMap)) values = new LinkedHashMap<>(values);
            values.remove(key);
            modified = true;
        }
    }

    public Set<String> keys() {
        accessed = true;
        return Collections.unmodifiableSet(values.keySet());
    }

    public boolean isEmpty() {
        accessed = true;
        return values.isEmpty();
    }

    /**
     * A new id for the same values (Django's {@code cycle_key}); the old id is deleted from the
     * store when the response goes out. {@code Auth.login} does this against session fixation.
     */
    public void cycleKey() {
        accessed = true;
        if (id != null) {
            if (ended == null) ended = new ArrayList<>(1);
            ended.add(id);
        }
        id = null;
        modified = true;
    }

    /** Empties the session and ends its id (Django's {@code flush}; {@code Auth.logout} does it). */
    public void flush() {
        values = Map.of();
        cycleKey();
    }

    /** The id of the stored session; empty for a session not saved yet (or given a new id). */
    public Optional<String> id() {
        return Optional.ofNullable(id);
    }

    /** When the stored session this request brought expires; empty for a new one. */
    public Optional<Instant> expiresAt() {
        return Optional.ofNullable(expiresAt);
    }

    boolean modified() {
        return modified;
    }

    boolean accessed() {
        return accessed;
    }

    /** Ids to delete when the response goes out. */
    List<String> ended() {
        return ended == null ? List.of() : ended;
    }

    /** The stored form, giving the session an id if it has none. */
    SessionData toData() {
        if (id == null) id = SessionData.newId();
        return new SessionData(id, values);
    }

    private int size() {
        int n = 0;
        for (Map.Entry<String, String> e : values.entrySet()) {
            n += URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8).length() + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8).length() + 2;
        }
        return n;
    }

    @Override
    public String toString() {
        return "Session" + values.keySet();
    }
}
