package io.loomsocket.web.auth;

import io.loomsocket.web.Middleware;
import io.loomsocket.web.Request;
import io.loomsocket.web.Response;
import io.loomsocket.web.Settings;
import io.loomsocket.web.SettingsException;
import io.loomsocket.web.View;
import io.loomsocket.web.WebApp;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * Django's {@code SessionMiddleware}: gives every request its {@link Session}
 * ({@code request.session()}) from the {@code sessionid} cookie, and saves it when the response
 * goes out if it changed. The cookie holds the store's token signed with {@code secret_key} and
 * the time it was issued ({@link Signer}, HMAC-SHA256); a changed, foreign or older than
 * {@code session.cookie_age} cookie counts as no session. It is sent {@code HttpOnly},
 * {@code SameSite=Lax}, {@code Path=/}, with {@code Max-Age} = {@code session.cookie_age}, and
 * {@code Secure} when the request came over HTTPS.
 *
 * <p>A WebSocket opened by a logged-in user is closed with 1008 when its session ends: deleted
 * on this server (logout) at once, expired or deleted elsewhere within {@code session.check_interval}.
 *
 * <p>Put it before {@link CsrfMiddleware} and {@link AuthenticationMiddleware}. Close it (or let
 * the JVM exit) to release a server-side store.
 */
public final class SessionMiddleware implements Middleware, AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.loomsocket.web.auth");

    /** Django's {@code SESSION_COOKIE_NAME}. */
    public static final String COOKIE_NAME = "sessionid";
    /** The salt of session signatures: a value signed for anything else does not verify as a session. */
    static final String SALT = "io.loomsocket.web.auth.sessions";
    static final String ATTRIBUTE = Session.class.getName();
    private static final int MIN_SECRET_LENGTH = 32;

    private final Signer signer;
    private final SessionStore store;
    private final Duration cookieAge;
    private final Clock clock;
    private final SessionWatch watch;

    /**
     * The store the {@code session.store} setting names, signing with {@code secret_key}.
     *
     * @throws SettingsException with no {@code secret_key} (or a short one) while {@code debug} is off
     */
    public SessionMiddleware(Settings settings) {
        this(settings, SessionStore.fromSettings(settings));
    }

    /** As {@link #SessionMiddleware(Settings)} with a store of your own. */
    public SessionMiddleware(Settings settings, SessionStore store) {
        this(settings, store, Clock.systemUTC());
    }

    SessionMiddleware(Settings settings, SessionStore store, Clock clock) {
        this.signer = new Signer(secretKey(settings), SALT);
        this.store = Objects.requireNonNull(store, "store");
        this.cookieAge = settings.duration("session.cookie_age");
        if (cookieAge.toSeconds() < 1) throw new SettingsException("session.cookie_age must be at least 1s: " + cookieAge);
        Duration interval = settings.duration("session.check_interval");
        if (interval.toMillis() < 1) throw new SettingsException("session.check_interval must be positive: " + interval);
        this.clock = clock;
        this.watch = new SessionWatch(store, interval, clock);
    }

    /**
     * {@code secret_key}, or with {@code debug} on and none set, a random one (logged: sessions then
     * end when the process does).
     */
    static String secretKey(Settings settings) {
        String key = settings.string("secret_key");
        if (!key.isEmpty()) {
            if (key.length() < MIN_SECRET_LENGTH) {
                throw new SettingsException("secret_key is " + key.length() + " characters; use at least " + MIN_SECRET_LENGTH
                        + " random ones (e.g. openssl rand -base64 48)");
            }
            return key;
        }
        if (!settings.bool("debug")) {
            throw new SettingsException("secret_key is not set: set SECRET_KEY (at least " + MIN_SECRET_LENGTH
                    + " random characters, e.g. openssl rand -base64 48), or turn debug on for a random one");
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        LOG.log(System.Logger.Level.WARNING, "debug is on and secret_key is not set: using a random secret key;"
                + " sessions and logins end when this process stops and are not shared with other servers");
        return HexFormat.of().formatHex(random);
    }

    /** The session middleware of {@code app}, if its chain has one (how a test client mints logins). */
    public static Optional<SessionMiddleware> of(WebApp app) {
        return app.middleware().stream().filter(m -> m instanceof SessionMiddleware).map(m -> (SessionMiddleware) m).findFirst();
    }

    public SessionStore store() {
        return store;
    }

    /**
     * A {@code sessionid} cookie value logged in as {@code user}, as {@code Auth.login} would
     * have made it: the session is stored, so this works with any store. For test clients
     * ({@code forceLogin}); send it as {@code Cookie: sessionid=<value>}.
     */
    public String loginCookie(User user) {
        return loginCookie(user, clock.instant());
    }

    /** As {@link #loginCookie(User)}, issued at {@code issuedAt}. */
    String loginCookie(User user, Instant issuedAt) {
        if (!user.isAuthenticated()) throw new IllegalArgumentException("cannot log in " + user);
        Session session = new Session(null, null);
        session.put(Auth.SESSION_USER_KEY, user.username());
        return cookieValue(session.toData(), issuedAt);
    }

    private String cookieValue(SessionData data, Instant issuedAt) {
        return signer.signTimestamped(store.save(data, cookieAge), issuedAt);
    }

    @Override
    public Optional<Response> processRequest(Request request) {
        Session session = request.cookie(COOKIE_NAME).flatMap(this::load).orElseGet(() -> new Session(null, null));
        request.attributes().put(ATTRIBUTE, session);
        return Optional.empty();
    }

    Optional<Session> load(String cookie) {
        Signer.Timestamped t;
        try {
            t = signer.unsignTimestamped(cookie, cookieAge, clock.instant());
        } catch (Signer.BadSignature e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "sessionid cookie refused: " + e.getMessage());
            return Optional.empty();
        }
        return store.load(t.value()).map(data -> new Session(data, t.signedAt().plus(cookieAge)));
    }

    /** A WebSocket of a logged-in user is watched for the end of its session. */
    @Override
    public Optional<Response> processView(Request request, View view) {
        if (request.isWebSocket()) {
            Session s = session(request);
            if (s.id().isPresent() && s.get(Auth.SESSION_USER_KEY).isPresent()) {
                watch.watch(request, s.id().get(), s.expiresAt().orElseThrow());
            }
        }
        return Optional.empty();
    }

    @Override
    public Response processResponse(Request request, Response response) {
        Session session = session(request);
        if (request.isWebSocket()) { // the WebSocket's view returned, or the handshake was refused
            session.id().ifPresent(id -> watch.unwatch(request, id));
        }
        if (response.isUpgraded()) return response;
        for (String id : session.ended()) {
            store.delete(id);
            watch.ended(id);
        }
        if (session.accessed() && !response.headers().containsToken("Vary", "Cookie")) response.addHeader("Vary", "Cookie");
        if (session.modified()) {
            if (session.isEmpty()) {
                if (request.cookie(COOKIE_NAME).isPresent()) response.setCookie(COOKIE_NAME, "", "Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
            } else {
                String value = cookieValue(session.toData(), clock.instant());
                response.setCookie(COOKIE_NAME, value, "Path=/; Max-Age=" + cookieAge.toSeconds() + "; HttpOnly; SameSite=Lax"
                        + (request.isSecure() ? "; Secure" : ""));
            }
        }
        return response;
    }

    /** The session of {@code request} ({@code request.session()}). */
    public static Session session(Request request) {
        Object s = request.attributes().get(ATTRIBUTE);
        if (s instanceof Session session) return session;
        throw new IllegalStateException("no session on this request: put SessionMiddleware in the middleware chain, before the middleware that uses it");
    }

    SessionWatch watch() {
        return watch;
    }

    @Override
    public void close() {
        store.close();
    }

    @Override
    public String toString() {
        return "SessionMiddleware(" + store + ")";
    }
}
