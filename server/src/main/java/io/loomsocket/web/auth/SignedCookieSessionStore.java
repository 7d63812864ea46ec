package io.loomsocket.web.auth;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/**
 * The default store (Django's {@code signed_cookies} engine): the whole session travels in the
 * cookie as {@code id.base64url(values)}, signed by {@link SessionMiddleware}. Nothing is kept on
 * the server, so any server with the same {@code secret_key} reads it, and nothing can be
 * revoked there either: a copy of a cookie stays valid until {@code session.cookie_age} has
 * passed since it was issued, even after logout (the browser's copy is replaced, and WebSockets
 * of the session on this server are closed). Use a server-side store where logout must end
 * every copy.
 */
public final class SignedCookieSessionStore implements SessionStore {

    @Override
    public Optional<SessionData> load(String token) {
        int dot = token.indexOf('.');
        if (dot < 0 || !SessionData.isValidId(token.substring(0, dot))) return Optional.empty();
        try {
            String values = new String(Base64.getUrlDecoder().decode(token.substring(dot + 1)), StandardCharsets.UTF_8);
            return Optional.of(SessionData.decode(token.substring(0, dot), values));
        } catch (IllegalArgumentException e) { // only reachable with a token we signed, i.e. never
            return Optional.empty();
        }
    }

    @Override
    public String save(SessionData session, Duration maxAge) {
        return session.id() + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(session.encodeValues().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void delete(String id) {
        // nothing stored here
    }

    @Override
    public Set<String> existing(Collection<String> ids) {
        return Set.copyOf(ids);
    }

    @Override
    public String toString() {
        return "signed_cookies";
    }
}
