package io.loomsocket.engine;

import java.io.IOException;

/**
 * An HTTP/1.1 message head that {@link HttpHead} refuses: bad syntax, or over a size or count
 * limit. {@link #status()} is what a server answers it with (400, 414 or 431).
 */
public final class HttpHeadException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public HttpHeadException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status a server answers this head with: 400, 414 (request line) or 431 (header section). */
    public int status() {
        return status;
    }
}
