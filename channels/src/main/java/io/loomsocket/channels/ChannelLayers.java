package io.loomsocket.channels;

import java.util.Locale;

/** Makes the layer a {@code CHANNEL_LAYER} setting names. */
public final class ChannelLayers {
    /** The setting's name in settings files and the environment. */
    public static final String SETTING = "CHANNEL_LAYER";

    private ChannelLayers() {}

    /** {@link #fromSetting(String, ChannelLayerSettings)} with the default limits. */
    public static ChannelLayer fromSetting(String value) {
        return fromSetting(value, ChannelLayerSettings.defaults());
    }

    /**
     * {@code null}, blank or {@code memory}: a {@link MemoryChannelLayer}; {@code redis://...} or
     * {@code rediss://...} or {@code redis-sentinel://...}: a {@link RedisChannelLayer} connected now.
     *
     * @throws IllegalArgumentException for any other value
     * @throws IllegalStateException if Redis cannot be reached
     */
    public static ChannelLayer fromSetting(String value, ChannelLayerSettings settings) {
        return fromSetting(value, settings, RealtimeSettings.defaults());
    }

    /**
     * As {@link #fromSetting(String, ChannelLayerSettings)}, also with the limits of presence and
     * history. {@code redis-sentinel://host:port[,host:port...]/db#master} connects to the master
     * the Sentinels name, and follows their failovers.
     */
    public static ChannelLayer fromSetting(String value, ChannelLayerSettings settings, RealtimeSettings realtime) {
        String v = value == null ? "" : value.strip();
        if (v.isEmpty() || v.equalsIgnoreCase("memory")) return new MemoryChannelLayer(settings, realtime);
        String lower = v.toLowerCase(Locale.ROOT);
        if (lower.startsWith("redis://") || lower.startsWith("rediss://") || lower.startsWith("redis-sentinel://"))
            return new RedisChannelLayer(v, settings, realtime);
        throw new IllegalArgumentException(SETTING + " must be 'memory', a redis:// URI (e.g. redis://127.0.0.1:6379/0) or a "
                + "redis-sentinel:// URI (e.g. redis-sentinel://127.0.0.1:26379/0#mymaster), not '" + withoutUserInfo(v) + "'");
    }

    /**
     * {@code value} with the user-info of a URL in it ({@code redis://:password@host}, RFC 3986
     * §3.2.1) replaced by {@code ***}, for errors and logs: a setting's text is never printed with
     * a password. Whatever precedes the last {@code @} of the authority is user-info, so a value
     * too malformed to parse loses it as well.
     */
    public static String withoutUserInfo(String value) {
        int start = value.indexOf(':') + 1; // after the scheme and any slashes, however many
        while (start < value.length() && value.charAt(start) == '/') start++;
        int end = value.length();
        for (int i = start; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        int at = value.lastIndexOf('@', end - 1);
        if (at < start) return value;
        return value.substring(0, start) + "***" + value.substring(at);
    }
}
