package io.loomsocket.web.auth;

import io.loomsocket.web.Settings;
import io.loomsocket.web.SettingsException;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Where sessions live (Django's session engine). The {@code sessionid} cookie carries a token
 * that the store gives on {@link #save} and understands on {@link #load}; {@link SessionMiddleware}
 * signs it, with a timestamp, so a store never sees a token it did not make or one older than
 * {@code session.cookie_age}. {@link SignedCookieSessionStore} (the default) keeps the whole
 * session in the token; a server-side store (Redis, in loomsocket-channels) keeps it under the
 * session id, so several servers share it and {@link #delete} ends it everywhere. Thread-safe.
 */
public interface SessionStore extends AutoCloseable {

    /** The session a token names; empty if the store no longer has it (deleted, expired). */
    Optional<SessionData> load(String token);

    /**
     * Stores {@code session} for at most {@code maxAge}.
     *
     * @return the token for the cookie (cookie-safe characters only)
     */
    String save(SessionData session, Duration maxAge);

    /** Ends the session {@code id} (logout, key rotation): later loads of it find nothing. */
    void delete(String id);

    /**
     * The ids among {@code ids} that still name a live session: how open WebSockets find out
     * that their session was revoked on another server. A store that keeps nothing server-side
     * returns them all.
     */
    Set<String> existing(Collection<String> ids);

    /** Releases connections and threads. */
    @Override
    default void close() {}

    /**
     * The store the {@code session.store} setting names: {@code signed_cookies}, or whatever a
     * {@link SessionStoreProvider} on the class path accepts (loomsocket-channels accepts
     * {@code redis://host:port/db}).
     *
     * @throws SettingsException if no provider accepts the value
     */
    static SessionStore fromSettings(Settings settings) {
        String value = settings.string("session.store");
        if (value.equals("signed_cookies")) return new SignedCookieSessionStore();
        for (SessionStoreProvider p : ServiceLoader.load(SessionStoreProvider.class, SessionStore.class.getClassLoader())) {
            if (p.accepts(value)) return p.open(value, settings);
        }
        for (SessionStoreProvider p : ServiceLoader.load(SessionStoreProvider.class)) {
            if (p.accepts(value)) return p.open(value, settings);
        }
        throw new SettingsException("session.store '" + value + "' is neither signed_cookies nor accepted by a session store on the class path"
                + (value.startsWith("redis:") ? " (a Redis store needs loomsocket-channels)" : ""));
    }
}
