package io.loomsocket.server;

import java.util.Optional;

/**
 * The value of a {@code Host} field, or the authority of an absolute-form request target:
 * {@code uri-host [ ":" port ]} (RFC 9110 §7.2, RFC 3986 §3.2.2). The host is a reg-name, an
 * IPv4 address or an IP-literal in brackets ({@code [::1]}), as received (not lower-cased).
 *
 * @param host the host, with the brackets of an IP-literal
 * @param port the port, or -1 if none was given
 */
public record Authority(String host, int port) {

    /**
     * Parses {@code uri-host [":" port]}; empty if the text is not one. Stricter than RFC 3986
     * where no client needs the latitude: the host may not be empty and the port, if the colon is
     * there, is 1 to 5 digits up to 65535; and no comma, which RFC 3986 allows in a reg-name but
     * which is what an intermediary that joined two Host fields into one list leaves (RFC 9110 §5.3).
     * No user-info ({@code user@host}) and nothing after the port.
     */
    public static Optional<Authority> parse(String text) {
        if (text.isEmpty()) return Optional.empty();
        int hostEnd;
        if (text.charAt(0) == '[') {
            hostEnd = text.indexOf(']');
            if (hostEnd < 0 || !isIpLiteral(text.substring(1, hostEnd))) return Optional.empty();
            hostEnd++;
        } else {
            hostEnd = text.indexOf(':');
            if (hostEnd < 0) hostEnd = text.length();
            if (hostEnd == 0 || !isRegName(text, hostEnd)) return Optional.empty();
        }
        String host = text.substring(0, hostEnd);
        if (hostEnd == text.length()) return Optional.of(new Authority(host, -1));
        if (text.charAt(hostEnd) != ':') return Optional.empty();
        int digits = text.length() - hostEnd - 1;
        if (digits < 1 || digits > 5) return Optional.empty();
        int port = 0;
        for (int i = hostEnd + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') return Optional.empty();
            port = port * 10 + (c - '0');
        }
        return port <= 65535 ? Optional.of(new Authority(host, port)) : Optional.empty();
    }

    /** reg-name = *( unreserved / pct-encoded / sub-delims ) but ',' (RFC 3986 §3.2.2); IPv4 addresses are reg-names too. */
    private static boolean isRegName(String s, int end) {
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= end || !isHex(s.charAt(i + 1)) || !isHex(s.charAt(i + 2))) return false;
                i += 2;
            } else if (!isUnreserved(c) && "!$&'()*+;=".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /** IP-literal without its brackets: IPv6address or IPvFuture (RFC 3986 §3.2.2). */
    private static boolean isIpLiteral(String s) {
        if (!s.isEmpty() && (s.charAt(0) == 'v' || s.charAt(0) == 'V')) {
            // IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
            int dot = s.indexOf('.');
            if (dot < 2 || dot == s.length() - 1) return false;
            for (int i = 1; i < dot; i++) if (!isHex(s.charAt(i))) return false;
            for (int i = dot + 1; i < s.length(); i++) {
                char c = s.charAt(i);
                if (!isUnreserved(c) && "!$&'()*+,;=:".indexOf(c) < 0) return false;
            }
            return true;
        }
        return isIpv6(s);
    }

    /** IPv6address (RFC 3986 §3.2.2, RFC 4291 §2.2): eight 16-bit pieces, "::" once, an IPv4 tail allowed. */
    static boolean isIpv6(String s) {
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) return false;
        String[] parts = s.split(":", -1);
        int pieces = 0;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.isEmpty()) {
                // empty only as part of the one "::" (at the start and end it gives two empty parts)
                if (gap < 0) return false;
                continue;
            }
            if (i == parts.length - 1 && p.indexOf('.') >= 0) {
                if (!isIpv4(p)) return false;
                pieces += 2;
                continue;
            }
            if (p.length() > 4) return false;
            for (int j = 0; j < p.length(); j++) if (!isHex(p.charAt(j))) return false;
            pieces++;
        }
        if (gap < 0) return pieces == 8 && !s.startsWith(":") && !s.endsWith(":");
        // a lone ':' at either end is not the "::"
        if (s.startsWith(":") && gap != 0) return false;
        if (s.endsWith(":") && gap != s.length() - 2) return false;
        return pieces <= 7;
    }

    private static boolean isIpv4(String s) {
        String[] octets = s.split("\\.", -1);
        if (octets.length != 4) return false;
        for (String o : octets) {
            if (o.isEmpty() || o.length() > 3 || (o.length() > 1 && o.charAt(0) == '0')) return false;
            for (int i = 0; i < o.length(); i++) if (o.charAt(i) < '0' || o.charAt(i) > '9') return false;
            if (Integer.parseInt(o) > 255) return false;
        }
        return true;
    }

    private static boolean isUnreserved(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~';
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    @Override
    public String toString() {
        return port < 0 ? host : host + ":" + port;
    }
}
