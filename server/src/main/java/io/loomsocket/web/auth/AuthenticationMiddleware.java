package io.loomsocket.web.auth;

import io.loomsocket.web.Middleware;
import io.loomsocket.web.Request;
import io.loomsocket.web.Response;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Django's {@code AuthenticationMiddleware}: puts the logged-in user on the request
 * ({@code request.user()}), {@link User#ANONYMOUS} when the session names nobody. The session
 * stores the user's name ({@link Auth#login}); a function of yours turns it into your user
 * (with permissions), or says the account is gone (empty: the request is anonymous). For a
 * WebSocket the user is taken once, at the handshake, and stays for the connection's life.
 * Needs {@link SessionMiddleware} before it.
 */
public final class AuthenticationMiddleware implements Middleware {
    static final String ATTRIBUTE = User.class.getName();

    private final Function<String, Optional<User>> users;

    /** Every name in a session is a user of that name with no permissions. */
    public AuthenticationMiddleware() {
        this(name -> Optional.of(User.of(name)));
    }

    /** @param users the user of a name stored at login, or empty if there is none any more */
    public AuthenticationMiddleware(Function<String, Optional<User>> users) {
        this.users = Objects.requireNonNull(users, "users");
    }

    @Override
    public Optional<Response> processRequest(Request request) {
        User user = SessionMiddleware.session(request).get(Auth.SESSION_USER_KEY)
                .flatMap(users)
                .orElse(User.ANONYMOUS);
        request.attributes().put(ATTRIBUTE, user);
        return Optional.empty();
    }

    /** The user of {@code request}: what this middleware or {@link Auth#login} put there, else anonymous. */
    public static User user(Request request) {
        return request.attributes().get(ATTRIBUTE) instanceof User u ? u : User.ANONYMOUS;
    }

    @Override
    public String toString() {
        return "AuthenticationMiddleware";
    }
}
