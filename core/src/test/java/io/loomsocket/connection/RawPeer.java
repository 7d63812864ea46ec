package io.loomsocket.connection;

import io.loomsocket.engine.EngineConfig;
import io.loomsocket.engine.Event;
import io.loomsocket.engine.MaskSource;
import io.loomsocket.engine.MessageAssembler;
import io.loomsocket.engine.MessageEncoder;
import io.loomsocket.engine.Role;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/** A hand-driven peer on a raw socket: writes frames with the engine and reads events, nothing automatic. */
final class RawPeer {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final MessageEncoder encoder;
    private final MessageAssembler assembler;
    private final ByteBuffer rx = ByteBuffer.allocate(1 << 16).flip();
    private final ArrayDeque<Event> events = new ArrayDeque<>();

    RawPeer(Socket socket, Role role) throws IOException {
        this(socket, role, role);
    }

    /** A peer whose encoder plays {@code sendRole} (masking) and whose parser plays {@code receiveRole}. */
    RawPeer(Socket socket, Role sendRole, Role receiveRole) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(20_000); // a broken test fails instead of hanging
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.encoder = new MessageEncoder(sendRole, null, sendRole == Role.CLIENT ? MaskSource.fixed(0x12345678) : null);
        this.assembler = new MessageAssembler(receiveRole, EngineConfig.defaults().withMaxMessageSize(64 << 20)
                .withMaxFrameSize(64 << 20), null);
    }

    void sendText(String text) throws IOException {
        encoder.startText(text);
        flushEncoder();
    }

    void sendBinary(byte[] data) throws IOException {
        encoder.startBinary(data, 0, data.length);
        flushEncoder();
    }

    void sendPing(byte[] payload) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(256);
        encoder.encodePing(b, payload);
        out.write(b.array(), 0, b.position());
    }

    void sendClose(int code, String reason) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(256);
        encoder.encodeClose(b, code, reason);
        out.write(b.array(), 0, b.position());
    }

    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
    }

    private void flushEncoder() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        while (!encoder.encode(b)) {
            out.write(b.array(), 0, b.position());
            b.clear();
        }
        out.write(b.array(), 0, b.position());
    }

    /** The next event, reading as needed; null at end of stream. */
    Event next() throws IOException {
        while (true) {
            if (!events.isEmpty()) return events.poll();
            Event e = assembler.next(rx);
            if (e != null) return e;
            if (assembler.isClosed()) return null;
            rx.compact();
            int n = in.read(rx.array(), rx.position(), rx.remaining());
            if (n < 0) return null;
            rx.position(rx.position() + n);
            rx.flip();
        }
    }

    /** True if the peer closed the TCP connection (reads EOF or reset). */
    boolean readsEof() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    void close() throws IOException {
        socket.close();
    }
}
