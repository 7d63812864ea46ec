package io.loomsocket.web.auth;

import io.loomsocket.web.DecoratedView;
import io.loomsocket.web.Request;
import io.loomsocket.web.Response;
import io.loomsocket.web.View;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Logging in and out, and the view decorators that need a user, with Django's names; meant for
 * a static import ({@code import static io.loomsocket.web.auth.Auth.*;}).
 *
 * <pre>{@code
 * path("^account/$", loginRequired(views::account)),
 * path("^ws/admin$", permissionRequired("chat.moderate", requireWebSocket(views::moderate))),
 * path("^hooks/$", csrfExempt(views::hook)),
 * }</pre>
 *
 * The decorators answer before a WebSocket upgrade, in whatever order they wrap the WebSocket
 * marking: a WebSocket handshake they refuse gets 403 and never a 101.
 */
public final class Auth {
    private Auth() {}

    /** Where the session keeps the logged-in user's name (Django's {@code _auth_user_id}). */
    public static final String SESSION_USER_KEY = "_auth_user_id";

    /**
     * Logs {@code user} in for this request and the following ones (Django's {@code login}).
     * Against session fixation the session gets a new id (and the old one is deleted from the
     * store); when it belonged to another user it is emptied first. The CSRF token changes too.
     */
    public static void login(Request request, User user) {
        if (!user.isAuthenticated()) throw new IllegalArgumentException("cannot log in " + user);
        Session session = SessionMiddleware.session(request);
        Optional<String> current = session.get(SESSION_USER_KEY);
        if (current.isPresent() && !current.get().equals(user.username())) session.flush();
        else session.cycleKey();
        session.put(SESSION_USER_KEY, user.username());
        request.attributes().put(AuthenticationMiddleware.ATTRIBUTE, user);
        CsrfMiddleware.rotateToken(request);
    }

    /**
     * Logs out (Django's {@code logout}): the session is emptied, its id deleted from the store
     * and this server's WebSockets of it closed with 1008; the request's user becomes anonymous.
     */
    public static void logout(Request request) {
        SessionMiddleware.session(request).flush();
        request.attributes().put(AuthenticationMiddleware.ATTRIBUTE, User.ANONYMOUS);
    }

    /**
     * Django's {@code login_required}: an anonymous HTTP request is redirected (302) to the
     * {@code login_url} setting with {@code ?next=} this request's path; an anonymous WebSocket
     * handshake gets 403 before the upgrade.
     */
    public static View loginRequired(View view) {
        return userPassesTest(u -> true, view);
    }

    /**
     * Django's {@code permission_required}: as {@link #loginRequired}, and a logged-in user
     * without {@code permission} ({@link User#hasPermission}) gets 403.
     */
    public static View permissionRequired(String permission, View view) {
        Objects.requireNonNull(permission, "permission");
        return new UserTest(u -> u.hasPermission(permission), "permission " + permission + " required", view);
    }

    /**
     * Django's {@code user_passes_test}: as {@link #loginRequired}, and a logged-in user for whom
     * {@code test} is false gets 403.
     */
    public static View userPassesTest(Predicate<User> test, View view) {
        return new UserTest(test, "permission denied", view);
    }

    /** Django's {@code csrf_exempt}: {@link CsrfMiddleware} does not check requests to this view. */
    public static View csrfExempt(View view) {
        return new CsrfExempt(Objects.requireNonNull(view, "view"));
    }

    /**
     * {@code next} if it is a path on this site, else {@code fallback}: where a login or logout
     * form may send the browser. Only {@code /path} forms are accepted, so {@code //evil.example},
     * {@code /\evil.example}, {@code https://evil.example} and anything with control characters
     * (browsers drop tabs and newlines from URLs) or non-ASCII cannot redirect off the site.
     */
    public static String safeRedirect(String next, String fallback) {
        if (next == null || next.isEmpty() || next.charAt(0) != '/') return fallback;
        if (next.length() > 1 && (next.charAt(1) == '/' || next.charAt(1) == '\\')) return fallback;
        for (int i = 0; i < next.length(); i++) {
            char c = next.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '\\') return fallback;
        }
        return next;
    }

    /** The redirect to {@code login_url} with {@code ?next=} the request's path and query. */
    static Response redirectToLogin(Request request) {
        String loginUrl = request.app().settings().string("login_url");
        String next = URLEncoder.encode(request.fullPath(), StandardCharsets.UTF_8);
        return Response.redirect(loginUrl + (loginUrl.contains("?") ? "&" : "?") + "next=" + next);
    }

    /** A view for users that pass a test; anonymous requests go to the login page (HTTP) or get 403 (WebSocket). */
    private record UserTest(Predicate<User> test, String refusal, View inner) implements DecoratedView {
        UserTest {
            Objects.requireNonNull(test, "test");
            Objects.requireNonNull(inner, "view");
        }

        @Override
        public Optional<Response> check(Request request) {
            User user = request.user();
            if (!user.isAuthenticated()) {
                return Optional.of(request.isWebSocket() ? Response.error(403, "login required") : redirectToLogin(request));
            }
            return test.test(user) ? Optional.empty() : Optional.of(Response.error(403, refusal));
        }
    }

    /** Marks a view {@link CsrfMiddleware} leaves alone. */
    record CsrfExempt(View inner) implements DecoratedView {
        @Override
        public Optional<Response> check(Request request) {
            return Optional.empty();
        }
    }
}
