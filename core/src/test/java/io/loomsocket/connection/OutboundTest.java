package io.loomsocket.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.engine.EngineConfig;
import io.loomsocket.engine.MessageEncoder;
import io.loomsocket.engine.Role;
import io.loomsocket.engine.WebSocketProtocol;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/** The write buffer's coalescing, seen as the writes that reach the transport. */
class OutboundTest {
    private static final int BUFFER = 16 * 1024;

    /** Records the length of every write. */
    private static final class Writes extends OutputStream {
        final List<Integer> lengths = new ArrayList<>();

        @Override
        public void write(int b) {
            lengths.add(1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            lengths.add(len);
        }
    }

    private static Outbound outbound(Writes writes) {
        Transport t = Transport.of(new ByteArrayInputStream(new byte[0]), writes, () -> {});
        return new Outbound(t, new WebSocketProtocol(Role.SERVER, EngineConfig.defaults(), null, null), new ReentrantLock(),
                BUFFER, 0, new Outbound.Events() {
            @Override public void onWriteFailed(IOException e) { throw new AssertionError(e); }
            @Override public void onWriteTimeout() { throw new AssertionError("write timeout"); }
            @Override public void onCloseWritten() {}
            @Override public RuntimeException closedException() { return new IllegalStateException("closed"); }
        }, ConnectionRuntime.shared());
    }

    /** A receiver echoing a batch of small messages leaves them to one write, not one per KiB. */
    @Test
    void aBatchOfSmallRepliesIsOneWrite() {
        Writes writes = new Writes();
        Outbound out = outbound(writes);
        String text = "x".repeat(64);
        for (int i = 0; i < 40; i++) out.data(Outbound.Kind.TEXT, text, null, 0, 0, true, Outbound.FlushBy.RECEIVER);
        assertThat(writes.lengths).as("nothing written while the receiver has more to answer").isEmpty();
        out.flushIfIdle();
        assertThat(writes.lengths).containsExactly(40 * (2 + 64));
    }

    /** A message whose payload fills the buffer's configured size goes out whole, in one write. */
    @Test
    void aMessageAsLargeAsTheBufferIsOneWrite() {
        Writes writes = new Writes();
        Outbound out = outbound(writes);
        for (int i = 0; i < 3; i++) {
            out.data(Outbound.Kind.BINARY, null, new byte[BUFFER], 0, BUFFER, true, Outbound.FlushBy.RECEIVER);
        }
        out.flushIfIdle();
        assertThat(writes.lengths).containsExactly(4 + BUFFER, 4 + BUFFER, 4 + BUFFER);
    }

    /** The buffer stops growing at its configured size: a longer batch goes out in buffer-sized writes. */
    @Test
    void theBufferIsBoundedByItsConfiguredSize() {
        Writes writes = new Writes();
        Outbound out = outbound(writes);
        String text = "y".repeat(100);
        int messages = 500; // 51,000 bytes of frames
        for (int i = 0; i < messages; i++) out.data(Outbound.Kind.TEXT, text, null, 0, 0, true, Outbound.FlushBy.RECEIVER);
        out.flushIfIdle();
        assertThat(writes.lengths.stream().mapToInt(Integer::intValue).sum()).isEqualTo(messages * 102);
        assertThat(writes.lengths).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(BUFFER + MessageEncoder.MAX_CONTROL_FRAME_SIZE));
        assertThat(writes.lengths).hasSizeLessThanOrEqualTo(messages * 102 / (BUFFER - 256) + 1);
    }

    /** A keepalive ping on an idle connection leaves no write buffer behind; a busy one keeps its own. */
    @Test
    void aPingOnAnIdleConnectionLeavesNoBuffer() {
        Writes writes = new Writes();
        Outbound out = outbound(writes);
        out.ping(new byte[8]);
        assertThat(writes.lengths).containsExactly(2 + 8); // a server does not mask
        assertThat(out.bufferCapacity()).isZero();
        out.data(Outbound.Kind.TEXT, "queued", null, 0, 0, true, Outbound.FlushBy.RECEIVER);
        int held = out.bufferCapacity();
        out.ping(new byte[8]);
        assertThat(out.bufferCapacity()).as("the buffer in use stays").isEqualTo(held).isPositive();
    }
}
