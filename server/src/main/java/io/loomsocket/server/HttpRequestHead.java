package io.loomsocket.server;

import io.loomsocket.engine.HttpHeaders;

/**
 * A parsed request line and header section (RFC 9112 §3, §5).
 *
 * @param method the method token, case-sensitive (RFC 9110 §9.1)
 * @param target the request-target as received
 * @param path the path of the target, still percent-encoded
 * @param rawQuery the query after {@code ?}, still encoded; empty if none
 * @param version {@code HTTP/1.1} or {@code HTTP/1.0}
 * @param headers the header fields, in order
 */
public record HttpRequestHead(String method, String target, String path, String rawQuery, String version,
                              HttpHeaders headers) {

    /**
     * The authority the client asked for (RFC 9110 §7.2, RFC 9112 §3.3): that of an absolute-form
     * target, else the {@code Host} field; null for an HTTP/1.0 request without either. The
     * parser has checked its syntax ({@link Authority#parse}).
     */
    public String authority() {
        if (!target.isEmpty() && target.charAt(0) != '/' && !target.equals("*")) {
            int start = target.indexOf("//") + 2;
            int end = start;
            while (end < target.length() && target.charAt(end) != '/' && target.charAt(end) != '?') end++;
            return target.substring(start, end);
        }
        return headers.get("Host");
    }

    public boolean isHttp11() {
        return "HTTP/1.1".equals(version);
    }

    /**
     * Whether the client wants the connection kept after this exchange (RFC 9112 §9.3):
     * HTTP/1.1 unless it sent {@code Connection: close}; HTTP/1.0 only with {@code keep-alive}.
     */
    public boolean wantsKeepAlive() {
        if (headers.containsToken("Connection", "close")) return false;
        return isHttp11() || headers.containsToken("Connection", "keep-alive");
    }
}
