package io.loomsocket.server;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes a streamed response body. The stream sends chunks (RFC 9112 §7.1) to HTTP/1.1 clients;
 * {@code flush()} puts what was written on the wire. Do not close it; the server ends the body
 * when {@link #writeTo} returns.
 */
@FunctionalInterface
public interface BodyWriter {
    void writeTo(OutputStream body) throws IOException;
}
