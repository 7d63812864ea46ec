package io.loomsocket.web.auth;

import io.loomsocket.web.Middleware;
import io.loomsocket.web.Request;
import io.loomsocket.web.Response;
import io.loomsocket.web.View;
import io.loomsocket.web.Views;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Django's {@code CsrfViewMiddleware}: a request with a state-changing method (anything but GET,
 * HEAD, OPTIONS and TRACE) must carry the token of the browser's {@code csrftoken} cookie, in the
 * form field {@code csrfmiddlewaretoken} or the header {@code X-CSRFToken}; else 403 with the
 * reason. Another site can make a browser send the cookie, but cannot read it, so it cannot
 * send the token.
 *
 * <p>As in Django: the cookie holds a 32-character secret; pages get it <em>masked</em>
 * ({@link #token}: a fresh random 32-character mask, then the secret added to it character by
 * character modulo 62), so the token in a page changes on every render and a compression
 * side channel (BREACH) cannot recover it; the check unmasks and compares in constant time.
 * When the request has an {@code Origin} header it must be the request's own origin; an HTTPS
 * request without one must have a same-origin {@code Referer} (a man in the middle on plain HTTP
 * could otherwise plant a cookie for the HTTPS site).
 *
 * <p>WebSocket handshakes are not checked: they are GETs, and cross-site ones are refused by the
 * {@code Origin} check of the WebSocket middleware. Views marked {@link Auth#csrfExempt} are not
 * checked. Templates include the token with {@code {{ csrf_input() }}} (a hidden form field) or
 * {@code {{ csrf_token() }}}.
 */
public final class CsrfMiddleware implements Middleware {
    /** Django's {@code CSRF_COOKIE_NAME}. */
    public static final String COOKIE_NAME = "csrftoken";
    /** The form field checked on POST. */
    public static final String FORM_FIELD = "csrfmiddlewaretoken";
    /** The header checked when the form has no token (for JavaScript clients). */
    public static final String HEADER = "X-CSRFToken";
    /** Django's {@code CSRF_COOKIE_AGE}: a year, in seconds. */
    static final long COOKIE_AGE_SECONDS = 31_449_600;

    static final String CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static final int SECRET_LENGTH = 32;
    static final int TOKEN_LENGTH = 2 * SECRET_LENGTH;
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ATTRIBUTE = CsrfMiddleware.class.getName();

    /** The secret of one request, and whether the response must (re)set the cookie. */
    private static final class State {
        String secret;
        boolean cookieNeedsUpdate;
    }

    @Override
    public Optional<Response> processRequest(Request request) {
        State state = new State();
        state.secret = request.cookie(COOKIE_NAME).map(CsrfMiddleware::secretOf).orElse(null);
        request.attributes().put(ATTRIBUTE, state);
        return Optional.empty();
    }

    @Override
    public Optional<Response> processView(Request request, View view) {
        if (request.isWebSocket() || SAFE_METHODS.contains(request.method())) return Optional.empty();
        if (Views.isDecoratedWith(view, Auth.CsrfExempt.class)) return Optional.empty();
        Optional<String> refusal = refusal(request, state(request));
        return refusal.map(reason -> Response.error(403, "CSRF verification failed: " + reason));
    }

    private static Optional<String> refusal(Request request, State state) {
        String ownOrigin = (request.isSecure() ? "https://" : "http://") + request.header("Host").orElse("").toLowerCase(Locale.ROOT);
        Optional<String> origin = request.header("Origin");
        if (origin.isPresent()) {
            if (!origin.get().toLowerCase(Locale.ROOT).equals(ownOrigin)) {
                return Optional.of("Origin checking failed - " + origin.get() + " does not match " + ownOrigin + ".");
            }
        } else if (request.isSecure()) {
            Optional<String> referer = request.header("Referer");
            if (referer.isEmpty()) return Optional.of("Referer checking failed - no Referer.");
            String r = referer.get().toLowerCase(Locale.ROOT);
            if (!(r.equals(ownOrigin) || r.startsWith(ownOrigin + "/"))) {
                return Optional.of("Referer checking failed - " + referer.get() + " does not match " + ownOrigin + ".");
            }
        }
        if (state.secret == null) return Optional.of("CSRF cookie not set.");
        String source = "POST";
        String token = request.method().equals("POST") ? request.form().first(FORM_FIELD).orElse("") : "";
        if (token.isEmpty()) {
            token = request.header(HEADER).orElse("");
            source = "the '" + HEADER + "' HTTP header";
        }
        if (token.isEmpty()) return Optional.of("CSRF token missing.");
        if (token.length() != SECRET_LENGTH && token.length() != TOKEN_LENGTH) {
            return Optional.of("CSRF token from " + source + " has incorrect length.");
        }
        if (!validChars(token)) return Optional.of("CSRF token from " + source + " has invalid characters.");
        String given = token.length() == TOKEN_LENGTH ? unmask(token) : token;
        if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.US_ASCII), state.secret.getBytes(StandardCharsets.US_ASCII))) {
            return Optional.of("CSRF token from " + source + " incorrect.");
        }
        return Optional.empty();
    }

    @Override
    public Response processResponse(Request request, Response response) {
        State state = (State) request.attributes().get(ATTRIBUTE);
        if (state != null && state.cookieNeedsUpdate && !response.isUpgraded()) {
            // not HttpOnly: JavaScript reads it to send X-CSRFToken
            response.setCookie(COOKIE_NAME, state.secret, "Path=/; Max-Age=" + COOKIE_AGE_SECONDS + "; SameSite=Lax"
                    + (request.isSecure() ? "; Secure" : ""));
            if (!response.headers().containsToken("Vary", "Cookie")) response.addHeader("Vary", "Cookie");
            state.cookieNeedsUpdate = false;
        }
        return response;
    }

    /**
     * The CSRF token for a form or script of this request's page (Django's {@code get_token}):
     * masked afresh on each call; the response sets the cookie if the browser has none yet.
     *
     * @throws IllegalStateException if CsrfMiddleware is not in the chain
     */
    public static String token(Request request) {
        State state = state(request);
        if (state.secret == null) {
            state.secret = randomChars(SECRET_LENGTH);
            state.cookieNeedsUpdate = true;
        }
        return mask(state.secret);
    }

    /** A new secret for this browser (Django's {@code rotate_token}; {@link Auth#login} calls it). */
    public static void rotateToken(Request request) {
        if (!(request.attributes().get(ATTRIBUTE) instanceof State state)) return; // no CSRF protection in this chain
        state.secret = randomChars(SECRET_LENGTH);
        state.cookieNeedsUpdate = true;
    }

    private static State state(Request request) {
        if (request.attributes().get(ATTRIBUTE) instanceof State s) return s;
        throw new IllegalStateException("no CSRF state on this request: put CsrfMiddleware in the middleware chain");
    }

    /** The secret of a cookie: 32 characters, or 64 for a masked one (what Django before 4.1 stored); else null. */
    private static String secretOf(String cookie) {
        if (!validChars(cookie)) return null;
        if (cookie.length() == SECRET_LENGTH) return cookie;
        if (cookie.length() == TOKEN_LENGTH) return unmask(cookie);
        return null;
    }

    static String mask(String secret) {
        String mask = randomChars(SECRET_LENGTH);
        StringBuilder cipher = new StringBuilder(TOKEN_LENGTH).append(mask);
        for (int i = 0; i < SECRET_LENGTH; i++) {
            cipher.append(CHARS.charAt((CHARS.indexOf(secret.charAt(i)) + CHARS.indexOf(mask.charAt(i))) % CHARS.length()));
        }
        return cipher.toString();
    }

    static String unmask(String token) {
        StringBuilder secret = new StringBuilder(SECRET_LENGTH);
        for (int i = 0; i < SECRET_LENGTH; i++) {
            int m = CHARS.indexOf(token.charAt(i));
            int c = CHARS.indexOf(token.charAt(SECRET_LENGTH + i));
            secret.append(CHARS.charAt(Math.floorMod(c - m, CHARS.length())));
        }
        return secret.toString();
    }

    private static boolean validChars(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (CHARS.indexOf(s.charAt(i)) < 0) return false;
        }
        return !s.isEmpty();
    }

    private static String randomChars(int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) c[i] = CHARS.charAt(RANDOM.nextInt(CHARS.length()));
        return new String(c);
    }

    @Override
    public String toString() {
        return "CsrfMiddleware";
    }
}
