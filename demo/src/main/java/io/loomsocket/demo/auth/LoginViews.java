package io.loomsocket.demo.auth;

import static io.loomsocket.web.Views.path;
import static io.loomsocket.web.Views.render;
import static io.loomsocket.web.Views.requireMethods;

import io.loomsocket.web.Middleware;
import io.loomsocket.web.Request;
import io.loomsocket.web.Response;
import io.loomsocket.web.Settings;
import io.loomsocket.web.UrlPattern;
import io.loomsocket.web.auth.Auth;
import io.loomsocket.web.auth.AuthenticationMiddleware;
import io.loomsocket.web.auth.CsrfMiddleware;
import io.loomsocket.web.auth.SessionMiddleware;
import io.loomsocket.web.auth.User;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The demo's accounts: {@code /login/} (a form; POST {@code username} with the CSRF token) and
 * {@code /logout/} (POST). Any name of 1 to 32 letters, digits, {@code _} or {@code -} is an
 * account, with no password: a demo of sessions, not of passwords. After either, the browser
 * goes to {@code next} when it is a path on this site, else to {@code /index/}.
 */
public final class LoginViews {
    /** What a demo account's name may be. */
    public static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final String HOME = "/index/";

    private LoginViews() {}

    public static List<UrlPattern> urls() {
        return List.of(
                path("^login/$", requireMethods(LoginViews::login, "GET", "POST"), "login"),
                path("^logout/$", requireMethods(LoginViews::logout, "POST"), "logout"));
    }

    /** Sessions, CSRF and users, after the rest of the demo's chain. */
    public static List<Middleware> middleware(Settings settings) {
        return List.of(new SessionMiddleware(settings), new CsrfMiddleware(), new AuthenticationMiddleware(LoginViews::account));
    }

    /** The demo account of a name stored in a session (a name that is not one any more is nobody). */
    static Optional<User> account(String name) {
        return USERNAME.matcher(name).matches() ? Optional.of(User.of(name)) : Optional.empty();
    }

    static Response login(Request request) {
        String next = request.param("next").orElse("");
        if (request.method().equals("POST")) {
            String name = request.form().get("username", "").strip();
            Optional<User> user = account(name);
            if (user.isPresent()) {
                Auth.login(request, user.get());
                return Response.redirect(Auth.safeRedirect(next, HOME));
            }
            return form(request, next, name, "A name is 1 to 32 letters, digits, _ or -.").setStatus(400);
        }
        return form(request, next, "", "");
    }

    private static Response form(Request request, String next, String name, String error) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("next", Auth.safeRedirect(next, ""));
        context.put("username", name);
        context.put("error", error);
        return render(request, "login.html", context);
    }

    static Response logout(Request request) {
        Auth.logout(request);
        return Response.redirect(Auth.safeRedirect(request.form().get("next", ""), HOME));
    }
}
