package io.loomsocket.web;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which browser origins may open WebSockets (against cross-site WebSocket hijacking; RFC 6455
 * §10.2). A handshake without {@code Origin} (a non-browser client) is allowed. Otherwise the
 * origin must be the request's own (the scheme of this connection, {@code http} or {@code ws}
 * over plain TCP, {@code https} or {@code wss} over TLS, and the host and port of {@code Host}),
 * or be listed in
 * {@code websocket.allowed_origins}: exact origins ({@code https://app.example.com}), patterns
 * with a leading wildcard label ({@code https://*.example.com}), or {@code *} for any.
 */
final class OriginPolicy {
    private record Allowed(String scheme, String host, int port, boolean wildcard) {}

    private final boolean any;
    private final List<Allowed> allowed;

    private OriginPolicy(boolean any, List<Allowed> allowed) {
        this.any = any;
        this.allowed = allowed;
    }

    /** Parses the setting's value; a malformed entry is a SettingsException. */
    static OriginPolicy parse(String setting) {
        List<Allowed> list = new ArrayList<>();
        boolean any = false;
        for (String raw : setting.split(",")) {
            String entry = raw.strip();
            if (entry.isEmpty()) continue;
            if (entry.equals("*")) {
                any = true;
                continue;
            }
            boolean wildcard = entry.contains("://*.");
            Origin o = Origin.parse(wildcard ? entry.replace("://*.", "://") : entry);
            if (o == null) {
                throw new SettingsException("websocket.allowed_origins: '" + entry
                        + "' is not an origin like https://example.com, https://*.example.com:8443 or *");
            }
            list.add(new Allowed(o.scheme(), o.host(), o.port(), wildcard));
        }
        return new OriginPolicy(any, List.copyOf(list));
    }

    /**
     * True if a handshake with this {@code Origin} header (null if absent) to this {@code Host},
     * over TLS or not ({@code secure}), may proceed.
     */
    boolean allows(String originHeader, String hostHeader, boolean secure) {
        if (originHeader == null || any) return true;
        if (hostHeader != null && isHostItself(originHeader, hostHeader, secure)) return true;
        Origin o = Origin.parse(originHeader);
        if (o == null) return false; // "null" (sandboxed or file: pages) and garbage
        if (hostHeader != null && o.isSecure() == secure && o.sameHostAs(hostHeader)) return true;
        for (Allowed a : allowed) {
            if (!a.scheme().equals(o.scheme()) || a.port() != o.port()) continue;
            if (a.wildcard() ? o.host().endsWith("." + a.host()) : o.host().equals(a.host())) return true;
        }
        return false;
    }

    /**
     * The common same-origin case, without parsing: the Origin is exactly {@code scheme://} and the
     * Host header (ASCII case aside), for a web scheme of this connection ({@code http}/{@code ws},
     * or {@code https}/{@code wss} when {@code secure}) and a plain {@code name[:port]} host. Such a
     * pair parses to the same host and port, so {@link Origin#sameHostAs} would say yes as well
     * (parsing both took 6 % of server samples under the handshake benchmark).
     */
    static boolean isHostItself(String origin, String host, boolean secure) {
        int sep = origin.indexOf("://");
        if (sep < 0 || origin.length() - sep - 3 != host.length() || host.isEmpty()) return false;
        boolean webScheme = switch (sep) {
            case 2 -> !secure && origin.regionMatches(true, 0, "ws", 0, 2);
            case 3 -> secure && origin.regionMatches(true, 0, "wss", 0, 3);
            case 4 -> !secure && origin.regionMatches(true, 0, "http", 0, 4);
            case 5 -> secure && origin.regionMatches(true, 0, "https", 0, 5);
            default -> false;
        };
        if (!webScheme) return false;
        if (!origin.regionMatches(true, sep + 3, host, 0, host.length())) return false;
        int colon = host.indexOf(':');
        int nameEnd = colon < 0 ? host.length() : colon;
        if (nameEnd == 0) return false;
        for (int i = 0; i < nameEnd; i++) {
            char c = host.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-')) return false;
        }
        if (colon < 0) return true;
        int digits = host.length() - colon - 1;
        if (digits < 1 || digits > 5) return false;
        int port = 0;
        for (int i = colon + 1; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c < '0' || c > '9') return false;
            port = port * 10 + (c - '0');
        }
        return port <= 65535;
    }

    /** A serialized origin (RFC 6454 §6.2): scheme, host and port (defaulted). */
    record Origin(String scheme, String host, int port) {
        static Origin parse(String s) {
            try {
                URI u = new URI(s);
                String scheme = u.getScheme();
                String host = u.getHost();
                if (scheme == null || host == null || u.getRawUserInfo() != null) return null;
                if (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/")) return null;
                scheme = scheme.toLowerCase(Locale.ROOT);
                int port = u.getPort() >= 0 ? u.getPort() : defaultPort(scheme);
                if (port < 0) return null;
                return new Origin(scheme, host.toLowerCase(Locale.ROOT), port);
            } catch (URISyntaxException e) {
                return null;
            }
        }

        /** True for {@code https} and {@code wss}: an origin served over TLS. */
        boolean isSecure() {
            return scheme.equals("https") || scheme.equals("wss");
        }

        /** Same host and port as a {@code Host} header ({@code host[:port]}, port defaulted by this origin's scheme). */
        boolean sameHostAs(String hostHeader) {
            Origin h = parse(scheme + "://" + hostHeader);
            return h != null && h.host().equals(host) && h.port() == port;
        }

        private static int defaultPort(String scheme) {
            return switch (scheme) {
                case "http", "ws" -> 80;
                case "https", "wss" -> 443;
                default -> -1;
            };
        }
    }
}
