package io.loomsocket.engine;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * permessage-deflate: encode one JSON-like text message (compress + frame) and decode it
 * (parse + inflate + UTF-8), with pooled no-context-takeover state (the default) and with an owned
 * context-takeover Deflater/Inflater.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DeflateBench {
    @Param({"1024", "16384"})
    int size;

    @Param({"pooled", "takeover"})
    String mode;

    String text;
    PerMessageDeflate serverOut;
    PerMessageDeflate clientIn;
    MessageEncoder encoder;
    MessageAssembler assembler;
    byte[] wire;
    ByteBuffer out;

    @Setup
    public void setup() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < size; i++) {
            sb.append("{\"id\":").append(i).append(",\"user\":\"user").append(i % 17)
                    .append("\",\"text\":\"hello world, message number ").append(i * 7919 % 1000).append("\"},");
        }
        text = sb.substring(0, size);
        boolean takeover = mode.equals("takeover");
        DeflateParams params = new DeflateParams(!takeover, !takeover, 0, 0);
        DeflateConfig cfg = DeflateConfig.DEFAULT.withContextTakeover(takeover);
        serverOut = PerMessageDeflate.of(Role.SERVER, params, cfg);
        clientIn = PerMessageDeflate.of(Role.CLIENT, params, cfg);
        encoder = new MessageEncoder(Role.SERVER, serverOut, null);
        assembler = new MessageAssembler(Role.CLIENT, EngineConfig.defaults(), clientIn);
        out = ByteBuffer.allocate(size * 2 + 64);
        encoder.startText(text);
        encoder.encode(out);
        wire = java.util.Arrays.copyOf(out.array(), out.position());
        if (takeover) { // later messages of a takeover stream differ; decode a pooled-style first message instead
            PerMessageDeflate p = PerMessageDeflate.of(Role.SERVER, new DeflateParams(true, true, 0, 0), DeflateConfig.DEFAULT);
            MessageEncoder e = new MessageEncoder(Role.SERVER, p, null);
            out.clear();
            e.startText(text);
            e.encode(out);
            wire = java.util.Arrays.copyOf(out.array(), out.position());
            p.close();
            clientIn.close();
            clientIn = PerMessageDeflate.of(Role.CLIENT, new DeflateParams(true, true, 0, 0), DeflateConfig.DEFAULT);
            assembler = new MessageAssembler(Role.CLIENT, EngineConfig.defaults(), clientIn);
        }
        System.out.printf("%n%s %d bytes -> %d on the wire%n", mode, text.getBytes(StandardCharsets.UTF_8).length, wire.length);
    }

    @TearDown
    public void tearDown() {
        serverOut.close();
        clientIn.close();
    }

    @Benchmark
    public ByteBuffer encode() {
        out.clear();
        encoder.startText(text);
        encoder.encode(out);
        return out;
    }

    @Benchmark
    public Event decode() {
        return assembler.next(ByteBuffer.wrap(wire));
    }
}
