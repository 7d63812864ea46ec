package io.loomsocket.server;

/**
 * A request the server will not serve, with the status that says why (400, 404, 413, 431, ...).
 * Thrown by the request parser, and by handlers that want a plain error response.
 */
public class HttpException extends RuntimeException {
    private final int status;

    public HttpException(int status, String message) {
        super(message);
        if (status < 400 || status > 599) throw new IllegalArgumentException("not an error status: " + status);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
