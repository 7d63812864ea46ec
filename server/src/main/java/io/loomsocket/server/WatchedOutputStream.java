package io.loomsocket.server;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The socket's output stream, with the start of each blocking write recorded so that the
 * server's watchdog can close a connection whose client stopped reading
 * ({@link ServerOptions#writeTimeout()}). Java socket writes have no timeout of their own.
 */
final class WatchedOutputStream extends OutputStream {
    private final OutputStream out;
    /** System.nanoTime() when the write in progress started, or 0 when none is. */
    private volatile long writingSince;

    WatchedOutputStream(OutputStream out) {
        this.out = out;
    }

    /** True if a write has been blocked for longer than {@code timeoutNanos} at {@code now}. */
    boolean stalled(long now, long timeoutNanos) {
        long since = writingSince;
        return since != 0 && now - since > timeoutNanos;
    }

    @Override
    public void write(int b) throws IOException {
        begin();
        try {
            out.write(b);
        } finally {
            writingSince = 0;
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        begin();
        try {
            out.write(b, off, len);
        } finally {
            writingSince = 0;
        }
    }

    @Override
    public void flush() throws IOException {
        begin();
        try {
            out.flush();
        } finally {
            writingSince = 0;
        }
    }

    private void begin() {
        long now = System.nanoTime();
        writingSince = now == 0 ? 1 : now;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
