package io.loomsocket.web.auth;

import java.util.Set;

/**
 * Who made a request ({@code request.user()}, Django's {@code request.user}): an authenticated
 * user, or {@link #ANONYMOUS} when nobody is logged in. Your own user type implements this
 * interface; {@link #of} makes a plain one. Implementations must be immutable: the user of a
 * WebSocket is fixed at its handshake and read from any thread.
 */
public interface User {

    /** The user nobody logged in as: not authenticated, no name, no permissions. */
    User ANONYMOUS = new Anonymous();

    /** The name the session stores ({@code Auth.login}); empty for {@link #ANONYMOUS}. */
    String username();

    /** True for a logged-in user (Django's {@code is_authenticated}). */
    boolean isAuthenticated();

    /** Whether this user may do {@code permission} ({@code Auth.permissionRequired}). */
    boolean hasPermission(String permission);

    /** An authenticated user with {@code username} and exactly these permissions. */
    static User of(String username, String... permissions) {
        return new Named(username, Set.of(permissions));
    }

    /** An authenticated user with a name and a set of permissions. */
    record Named(String username, Set<String> permissions) implements User {
        public Named {
            if (username == null || username.isEmpty()) throw new IllegalArgumentException("a user needs a name");
            permissions = Set.copyOf(permissions);
        }

        @Override
        public boolean isAuthenticated() {
            return true;
        }

        @Override
        public boolean hasPermission(String permission) {
            return permissions.contains(permission);
        }
    }

    /** {@link #ANONYMOUS}. */
    final class Anonymous implements User {
        private Anonymous() {}

        @Override
        public String username() {
            return "";
        }

        @Override
        public boolean isAuthenticated() {
            return false;
        }

        @Override
        public boolean hasPermission(String permission) {
            return false;
        }

        @Override
        public String toString() {
            return "AnonymousUser";
        }
    }
}
