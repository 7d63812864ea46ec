package io.loomsocket.connection;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * {@code sendStream()}: a message sent as fragments (RFC 6455 §5.4). Bytes collect in a buffer of
 * the write buffer's size; when it fills, or on {@link #flush()}, they go out as one frame (the
 * first with the message's opcode, then continuation frames); {@link #close()} sends the final
 * frame. The stream holds the connection's message lock from creation to close, so other senders
 * wait; control frames still go out between fragments. Use it from one thread, the one that
 * opened it (the lock belongs to that thread).
 */
final class OutgoingStream extends OutputStream {
    private final Outbound out;
    private final boolean text;
    private final byte[] buffer;
    private int count;
    private boolean closed;

    /** The caller holds {@code out.messageLock}; the stream releases it on close. */
    OutgoingStream(Outbound out, boolean text, int bufferSize) {
        this.out = out;
        this.text = text;
        this.buffer = new byte[bufferSize];
    }

    @Override
    public void write(int b) throws IOException {
        checkOpen();
        if (count == buffer.length) sendFrame(false);
        buffer[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        checkOpen();
        while (len > 0) {
            if (count == buffer.length) sendFrame(false);
            int n = Math.min(len, buffer.length - count);
            System.arraycopy(b, off, buffer, count, n);
            count += n;
            off += n;
            len -= n;
        }
    }

    /** Sends what is buffered as a (non-final) frame, and writes it to the network now. */
    @Override
    public void flush() throws IOException {
        checkOpen();
        if (count > 0) sendFrame(false);
    }

    /** Sends the final frame and lets other senders go. Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        try {
            sendFrame(true);
        } finally {
            out.messageLock().unlock();
        }
    }

    private void sendFrame(boolean fin) throws IOException {
        try {
            out.data(text ? Outbound.Kind.FRAGMENT_TEXT : Outbound.Kind.FRAGMENT_BINARY, null,
                    buffer, 0, count, fin, Outbound.FlushBy.NOW);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e); // text that is not valid UTF-8
        } catch (RuntimeException e) {
            throw new IOException("WebSocket closed while sending a fragmented message", e);
        } finally {
            count = 0;
        }
    }

    private void checkOpen() throws IOException {
        if (closed) throw new IOException("stream closed");
    }
}
