package io.loomsocket.engine;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Server-side parsing of masked client frames, 100 frames per buffer: the bare {@link FrameParser}
 * and the full {@link MessageAssembler} path (binary, and text with UTF-8 validation). Time per frame.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ParseBench {
    static final int FRAMES = 100;

    @Param({"64", "16384"})
    int size;

    byte[] binaryWire;
    byte[] textWire;

    @Setup
    public void setup() {
        byte[] payload = new byte[size];
        new Random(1).nextBytes(payload);
        byte[] text = new byte[size];
        for (int i = 0; i < size; i++) {
            text[i] = (byte) ('a' + i % 26);
        }
        FrameWriter w = new FrameWriter(Role.CLIENT, MaskSource.fixed(0x11223344));
        ByteBuffer b = ByteBuffer.allocate(FRAMES * (size + 14));
        ByteBuffer t = ByteBuffer.allocate(FRAMES * (size + 14));
        for (int i = 0; i < FRAMES; i++) {
            w.writeFrame(b, Frame.binary(payload));
            w.writeFrame(t, Frame.of(OpCode.TEXT, text));
        }
        binaryWire = java.util.Arrays.copyOf(b.array(), b.position());
        textWire = java.util.Arrays.copyOf(t.array(), t.position());
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public void frameParser(Blackhole bh) {
        FrameParser p = new FrameParser(Role.SERVER, 1 << 20, false);
        ByteBuffer in = ByteBuffer.wrap(binaryWire);
        for (Frame f; (f = p.parse(in)) != null; ) {
            bh.consume(f);
        }
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public void assemblerBinary(Blackhole bh) {
        MessageAssembler a = new MessageAssembler(Role.SERVER, EngineConfig.defaults(), null);
        ByteBuffer in = ByteBuffer.wrap(binaryWire);
        for (Event e; (e = a.next(in)) != null; ) {
            bh.consume(e);
        }
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public void assemblerText(Blackhole bh) {
        MessageAssembler a = new MessageAssembler(Role.SERVER, EngineConfig.defaults(), null);
        ByteBuffer in = ByteBuffer.wrap(textWire);
        for (Event e; (e = a.next(in)) != null; ) {
            bh.consume(e);
        }
    }
}
