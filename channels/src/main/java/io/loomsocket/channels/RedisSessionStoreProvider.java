package io.loomsocket.channels;

import io.loomsocket.web.Settings;
import io.loomsocket.web.SettingsException;
import io.loomsocket.web.auth.SessionStore;
import io.loomsocket.web.auth.SessionStoreProvider;
import java.util.Locale;

/** Makes a {@link RedisSessionStore} when {@code session.store} is a {@code redis://} or {@code rediss://} URI. */
public final class RedisSessionStoreProvider implements SessionStoreProvider {

    @Override
    public boolean accepts(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        return v.startsWith("redis://") || v.startsWith("rediss://");
    }

    @Override
    public SessionStore open(String value, Settings settings) {
        try {
            return new RedisSessionStore(value);
        } catch (IllegalArgumentException e) {
            throw new SettingsException("session.store '" + value + "' is not a Redis URI: " + e.getMessage(), e);
        }
    }
}
