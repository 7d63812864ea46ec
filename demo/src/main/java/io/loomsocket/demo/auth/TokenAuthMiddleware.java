package io.loomsocket.demo.auth;

import io.loomsocket.web.Middleware;
import io.loomsocket.web.Request;
import io.loomsocket.web.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Authenticates requests to some paths before their view runs: for a WebSocket this is before
 * the upgrade, so a refused client gets a plain HTTP 401 or 403 and never a 101 (the web layer
 * sends the 101 only after every middleware let the request through).
 *
 * <p>The token may come, in this order, from the {@code token} query parameter (what a browser's
 * {@code new WebSocket(url)} can send), an {@code Authorization: Bearer} header (other clients),
 * or a {@code session} cookie (sent by browsers on same-site handshakes; pair it with the
 * same-origin check, which is on by default). No token: 401 with a {@code WWW-Authenticate}
 * challenge (RFC 9110 §11.6.1); a wrong one: 403. A passing request carries the user name in
 * {@code request.attributes().get("user")}.
 */
public final class TokenAuthMiddleware implements Middleware {
    /** Request attribute holding the authenticated user's name. */
    public static final String USER = "user";

    private final List<String> protectedPaths;
    private final byte[] token;
    private final String user;

    /**
     * @param token          the secret clients must present
     * @param user           the name given to a client that presents it
     * @param protectedPaths request paths (exact, with their leading slash) this middleware guards
     */
    public TokenAuthMiddleware(String token, String user, List<String> protectedPaths) {
        if (Objects.requireNonNull(token, "token").isEmpty()) throw new IllegalArgumentException("empty token");
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.user = Objects.requireNonNull(user, "user");
        this.protectedPaths = List.copyOf(protectedPaths);
    }

    @Override
    public Optional<Response> processRequest(Request request) {
        if (!protectedPaths.contains(request.path())) return Optional.empty();
        Optional<String> presented = request.query().first("token")
                .or(() -> request.header("Authorization")
                        .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
                        .map(h -> h.substring(7).strip()))
                .or(() -> request.cookie("session"));
        if (presented.isEmpty()) {
            return Optional.of(Response.error(401, "authentication required: pass ?token=..., an Authorization: Bearer header"
                    + " or a session cookie").header("WWW-Authenticate", "Bearer realm=\"loomsocket demo\""));
        }
        // constant-time comparison: response timing does not tell how much of a guess was right
        if (!MessageDigest.isEqual(presented.get().getBytes(StandardCharsets.UTF_8), token)) {
            return Optional.of(Response.error(403, "invalid token"));
        }
        request.attributes().put(USER, user);
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "TokenAuthMiddleware" + protectedPaths;
    }
}
