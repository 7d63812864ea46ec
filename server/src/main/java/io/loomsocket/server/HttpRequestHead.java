package io.loomsocket.server;

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
