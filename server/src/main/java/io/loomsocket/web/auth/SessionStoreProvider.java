package io.loomsocket.web.auth;

import io.loomsocket.web.Settings;

/**
 * Makes a {@link SessionStore} from a {@code session.store} value; found with
 * {@link java.util.ServiceLoader}, so a store with its own dependencies (Redis) lives in another
 * module and is picked up when that module is on the class or module path.
 */
public interface SessionStoreProvider {

    /** True if this provider makes the store {@code value} names (e.g. a {@code redis://} URL). */
    boolean accepts(String value);

    /** Opens the store; a value it cannot use is a {@link io.loomsocket.web.SettingsException}. */
    SessionStore open(String value, Settings settings);
}
